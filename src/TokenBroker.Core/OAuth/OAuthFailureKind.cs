namespace TokenBroker.Core.OAuth;

/// <summary>Whether retrying can help.</summary>
public enum OAuthFailureKind
{
    /// <summary>Network trouble, timeouts, 5xx, 429, <c>temporarily_unavailable</c>: retry later; the current token stays in service.</summary>
    Transient,

    /// <summary><c>invalid_grant</c>, <c>invalid_client</c>, <c>unauthorized_client</c>, denied consent: a person must act.</summary>
    Permanent,
}
