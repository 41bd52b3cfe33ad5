using Microsoft.Identity.Client;

namespace TokenBroker.Core.OAuth.Msal;

/// <summary>An MSAL interactive login waiting for its final redirect URL; MSAL checks state and redeems the code with its PKCE verifier.</summary>
internal sealed class MsalConsent(MsalClient client, CallbackWebUi ui, Task<AuthenticationResult> login, CacheSlot cache, Uri authorizationUri, string state) : IConsentSession
{
    public Uri AuthorizationUri { get; } = authorizationUri;

    public string State { get; } = state;

    public ConsentResume? Resumable => null;

    public Task<OAuthResult<IssuedTokens>> CompleteAsync(Uri callbackUri, CancellationToken cancellationToken)
    {
        ui.Complete(callbackUri);
        return client.FinishAsync(login, cache, cancellationToken);
    }
}
