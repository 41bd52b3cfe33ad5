using System.Net.Http.Headers;
using Microsoft.Identity.Client;

namespace TokenBroker.Core.OAuth.Msal;

/// <summary>Classifies MSAL's exceptions as transient or permanent failures.</summary>
internal static class MsalFailures
{
    private static readonly HashSet<string> GenericErrors = new(StringComparer.Ordinal)
    {
        "service_not_available", "request_throttled", "http_status_not_200", "non_parsable_oauth_error", "not_found",
    };

    /// <summary>The failure for <paramref name="exception"/>, or null when it is not one MSAL or the network raises.</summary>
    public static OAuthFailure? Classify(Exception exception, TimeProvider time) => exception switch
    {
        MsalUiRequiredException e => new OAuthFailure(OAuthFailureKind.Permanent, e.ErrorCode, FirstLine(e.Message)),
        MsalThrottledServiceException e => new OAuthFailure(OAuthFailureKind.Transient, e.ErrorCode, FirstLine(e.Message), RetryAfter(e.Headers, time) ?? TimeSpan.FromSeconds(60)),
        MsalServiceException { IsRetryable: true } e => new OAuthFailure(OAuthFailureKind.Transient, ErrorCode(e), FirstLine(e.Message), RetryAfter(e.Headers, time)),
        MsalServiceException e => new OAuthFailure(OAuthFailureKind.Permanent, e.ErrorCode, FirstLine(e.Message)),
        MsalClientException e => new OAuthFailure(OAuthFailureKind.Permanent, e.ErrorCode, FirstLine(e.Message)),
        HttpRequestException e => new OAuthFailure(OAuthFailureKind.Transient, "network", FirstLine(e.Message)),
        TaskCanceledException e => new OAuthFailure(OAuthFailureKind.Transient, "timeout", FirstLine(e.Message)),
        _ => null,
    };

    /// <summary>
    /// The provider's OAuth error; <c>http_STATUS</c> where MSAL only names a generic HTTP failure,
    /// and <c>timeout</c> as the Duende client says it.
    /// </summary>
    private static string ErrorCode(MsalServiceException exception) =>
        exception.ErrorCode == "request_timeout" ? "timeout"
        : exception.StatusCode is >= 400 and < 600 && GenericErrors.Contains(exception.ErrorCode) ? $"http_{exception.StatusCode}"
        : exception.ErrorCode;

    private static TimeSpan? RetryAfter(HttpResponseHeaders? headers, TimeProvider time)
    {
        var retryAfter = headers?.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter?.Date is { } date && date > time.GetUtcNow() ? date - time.GetUtcNow() : null;
    }

    /// <summary>MSAL's messages run over many lines of advice; the first says what happened.</summary>
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
