using System.Net;
using Duende.IdentityModel.Client;

namespace TokenBroker.Core.OAuth;

/// <summary>Turns a failed Duende protocol response into a <see cref="OAuthFailure"/>: transient or permanent.</summary>
internal static class ResponseClassifier
{
    private static readonly HashSet<string> TransientErrors = new(StringComparer.Ordinal)
    {
        "temporarily_unavailable", "server_error", "authorization_pending", "slow_down",
    };

    public static OAuthFailure Classify(ProtocolResponse response, string? description, TimeProvider time)
    {
        var status = response.HttpStatusCode;
        var retryAfter = RetryAfter(response.HttpResponse, time);
        if (response.ErrorType == ResponseErrorType.Exception)
        {
            var timedOut = response.Exception is TaskCanceledException or TimeoutException;
            return new OAuthFailure(OAuthFailureKind.Transient, timedOut ? "timeout" : "network", response.Exception?.Message);
        }

        if (response.ErrorType == ResponseErrorType.PolicyViolation)
        {
            return new OAuthFailure(OAuthFailureKind.Permanent, "discovery_policy", response.Error);
        }

        // A 401 invalid_client arrives as an HTTP error, but its JSON body still names the OAuth error.
        var error = response.TryGet("error") is { Length: > 0 } named ? named
            : response.ErrorType == ResponseErrorType.Protocol && !string.IsNullOrEmpty(response.Error) ? response.Error
            : $"http_{(int)status}";
        description ??= response.TryGet("error_description");
        var transient = status == HttpStatusCode.TooManyRequests
            || status == HttpStatusCode.RequestTimeout
            || (int)status >= 500
            || TransientErrors.Contains(error);
        return new OAuthFailure(
            transient ? OAuthFailureKind.Transient : OAuthFailureKind.Permanent,
            error,
            description ?? (response.ErrorType == ResponseErrorType.Http ? response.HttpErrorReason : null),
            retryAfter);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        var header = response?.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? Max(date - time.GetUtcNow(), TimeSpan.Zero) : null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
