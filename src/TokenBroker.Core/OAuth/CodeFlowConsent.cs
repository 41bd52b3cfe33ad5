using System.Web;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.OAuth;

/// <summary>An authorization-code consent: its <c>state</c> and PKCE verifier, which a shared store may keep for another node.</summary>
internal sealed class CodeFlowConsent(
    CodeFlowClient client, Account account, ProviderEndpoints provider, Uri redirectUri, Uri authorizationUri, string state, Secret verifier) : IConsentSession
{
    public Uri AuthorizationUri { get; } = authorizationUri;

    public string State { get; } = state;

    public ConsentResume? Resumable { get; } = new(redirectUri, verifier);

    public Task<OAuthResult<IssuedTokens>> CompleteAsync(Uri callbackUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUri);
        var query = HttpUtility.ParseQueryString(callbackUri.Query);
        if (query["error"] is { } error)
        {
            return Task.FromResult<OAuthResult<IssuedTokens>>(new OAuthFailure(OAuthFailureKind.Permanent, error, query["error_description"]));
        }

        if (query["state"] != State)
        {
            return Task.FromResult<OAuthResult<IssuedTokens>>(new OAuthFailure(OAuthFailureKind.Permanent, "invalid_state", "the callback's state does not belong to this consent"));
        }

        return query["code"] is { Length: > 0 } code
            ? client.RedeemCodeAsync(account, provider, code, redirectUri, verifier, cancellationToken)
            : Task.FromResult<OAuthResult<IssuedTokens>>(new OAuthFailure(OAuthFailureKind.Permanent, "invalid_callback", "the callback carries no code"));
    }
}
