namespace TokenBroker.Core.Grants;

/// <summary>Where an account's grant stands.</summary>
public enum GrantState
{
    /// <summary>No usable grant: a person must run <c>tokenbroker consent</c>.</summary>
    NeedsConsent,

    /// <summary>A refresh token is held and the last refresh succeeded.</summary>
    Active,

    /// <summary>The last refresh failed with a transient fault; retries continue.</summary>
    Failing,
}
