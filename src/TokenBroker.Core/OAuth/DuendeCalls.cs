using Duende.IdentityModel.Client;

namespace TokenBroker.Core.OAuth;

/// <summary>Awaits Duende.IdentityModel requests the one way every caller needs.</summary>
internal static class DuendeCalls
{
    /// <summary>
    /// Duende turns most exceptions into error responses, our own cancellation included, but lets
    /// HttpClient's timeout through as a TaskCanceledException: that becomes a transient
    /// <c>timeout</c> failure. The caller disposes the response.
    /// </summary>
    public static async Task<OAuthResult<T>> AwaitAsync<T>(Task<T> sending, CancellationToken cancellationToken)
        where T : ProtocolResponse
    {
        try
        {
            return OAuthResult.Success(await sending.ConfigureAwait(false));
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new OAuthFailure(OAuthFailureKind.Transient, "timeout", ex.Message);
        }
    }
}
