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

    /// <summary>Redeems the code in the final redirect URL, or reports the provider's error in it.</summary>
    Task<OAuthResult<IssuedTokens>> CompleteAsync(Uri callbackUri, CancellationToken cancellationToken);
}
