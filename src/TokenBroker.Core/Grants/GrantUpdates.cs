using TokenBroker.Core.OAuth;

namespace TokenBroker.Core.Grants;

/// <summary>How a grant changes when a token request succeeds or fails.</summary>
public static class GrantUpdates
{
    /// <summary>
    /// New tokens: the grant becomes active; a rotated refresh token (or MSAL cache) replaces the old
    /// one, and a response without one keeps the old one. <paramref name="node"/> names the daemon that asked.
    /// </summary>
    public static Grant Issued(Grant current, IssuedTokens tokens, string? node = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(tokens);
        return current with
        {
            State = GrantState.Active,
            AccessToken = tokens.AccessToken,
            IssuedAt = tokens.IssuedAt,
            ExpiresAt = tokens.ExpiresAt,
            LastRefresh = tokens.IssuedAt,
            RefreshedBy = node,
            RefreshToken = tokens.RefreshToken ?? current.RefreshToken,
            MsalCache = tokens.MsalCache ?? current.MsalCache,
            LastError = null,
        };
    }

    /// <summary>
    /// A failure: permanent ones need consent, transient ones mark the grant failing. Tokens are
    /// kept either way, so a still-valid access token stays in service.
    /// </summary>
    public static Grant Failed(Grant current, OAuthFailure failure)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(failure);
        return current with
        {
            State = failure.Kind == OAuthFailureKind.Permanent ? GrantState.NeedsConsent : GrantState.Failing,
            LastError = failure.ToString(),
        };
    }
}
