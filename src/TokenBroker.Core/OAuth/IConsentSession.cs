namespace TokenBroker.Core.OAuth;

/// <summary>
/// One authorization-code consent in progress: the URL the person opens, the <c>state</c> it
/// carries, and the step that redeems the code once the browser comes back.
/// </summary>
public interface IConsentSession
{
    /// <summary>The URL to open in a browser.</summary>
    Uri AuthorizationUri { get; }

    /// <summary>The <c>state</c> value in <see cref="AuthorizationUri"/>; the callback must carry it.</summary>
    string State { get; }

    /// <summary>
    /// What another daemon needs to finish this consent (the redirect URI and PKCE verifier), or null
    /// when it can finish only in this process (MSAL keeps its verifier inside its own login).
    /// </summary>
    ConsentResume? Resumable { get; }

    /// <summary>Redeems the code in the final redirect URL, or reports the provider's error in it.</summary>
    Task<OAuthResult<IssuedTokens>> CompleteAsync(Uri callbackUri, CancellationToken cancellationToken);
}

/// <summary>A browser consent's redirect URI and PKCE verifier, for <see cref="CodeFlowClient.ResumeConsentAsync"/> on another node.</summary>
/// <param name="RedirectUri">The redirect URI the authorization request named; the code exchange must name it again.</param>
/// <param name="Verifier">The PKCE verifier.</param>
public sealed record ConsentResume(Uri RedirectUri, Secrets.Secret Verifier);
