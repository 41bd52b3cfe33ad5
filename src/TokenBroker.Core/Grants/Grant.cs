using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.Grants;

/// <summary>What the provider granted for an account, and how its last refresh went.</summary>
public sealed record Grant
{
    /// <summary>The grant of an account that has not been consented yet.</summary>
    public static Grant None { get; } = new() { State = GrantState.NeedsConsent };

    /// <summary>Where the grant stands.</summary>
    public required GrantState State { get; init; }

    /// <summary>The refresh token (Google and generic providers).</summary>
    public Secret? RefreshToken { get; init; }

    /// <summary>MSAL's serialized token cache (Microsoft accounts), which holds the refresh token.</summary>
    public Secret? MsalCache { get; init; }

    /// <summary>The current access token.</summary>
    public Secret? AccessToken { get; init; }

    /// <summary>When the access token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the access token was issued.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>When the last successful refresh (or consent) happened.</summary>
    public DateTimeOffset? LastRefresh { get; init; }

    /// <summary>The node (daemon) that made the last successful refresh or took the consent.</summary>
    public string? RefreshedBy { get; init; }

    /// <summary>The last refresh error, as the provider stated it; never a secret.</summary>
    public string? LastError { get; init; }
}
