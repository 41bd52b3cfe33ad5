using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;

namespace TokenBroker.Core.OAuth;

/// <summary>The OAuth2 conversations the broker has with one kind of provider.</summary>
public interface IOAuthClient
{
    /// <summary>Starts an authorization-code consent (PKCE S256) that returns to <paramref name="redirectUri"/>.</summary>
    Task<OAuthResult<IConsentSession>> BeginConsentAsync(Account account, Uri redirectUri, CancellationToken cancellationToken);

    /// <summary>Starts a device-code consent.</summary>
    Task<OAuthResult<IDeviceConsent>> BeginDeviceConsentAsync(Account account, CancellationToken cancellationToken);

    /// <summary>Gets a new access token with the grant's refresh token (or token cache).</summary>
    Task<OAuthResult<IssuedTokens>> RefreshAsync(Account account, Grant grant, CancellationToken cancellationToken);

    /// <summary>Revokes the grant at the provider; null on success.</summary>
    Task<OAuthFailure?> RevokeAsync(Account account, Grant grant, CancellationToken cancellationToken);
}
