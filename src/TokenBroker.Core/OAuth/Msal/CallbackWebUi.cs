using Microsoft.Identity.Client.Extensibility;

namespace TokenBroker.Core.OAuth.Msal;

/// <summary>
/// MSAL's "browser": hands the authorization URL (with MSAL's own state and PKCE challenge) to the
/// broker's consent flow and waits for the final redirect URL from the loopback endpoint or a paste.
/// </summary>
internal sealed class CallbackWebUi : ICustomWebUi
{
    private readonly TaskCompletionSource<Uri> _authorizationUri = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> _callbackUri = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends when MSAL asks for the authorization code, with the URL it built.</summary>
    public Task<Uri> AuthorizationUri => _authorizationUri.Task;

    public void Complete(Uri callbackUri) => _callbackUri.TrySetResult(callbackUri);

    public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
    {
        _authorizationUri.TrySetResult(authorizationUri);
        return await _callbackUri.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
