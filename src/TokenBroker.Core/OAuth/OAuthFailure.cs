using System.Globalization;

namespace TokenBroker.Core.OAuth;

/// <summary>Why a provider request failed, as the provider said it; never holds a secret.</summary>
/// <param name="Kind">Whether retrying can help.</param>
/// <param name="Error">The OAuth2 error code (<c>invalid_grant</c>), or <c>http_503</c>, <c>timeout</c>, <c>network</c>.</param>
/// <param name="Description">The provider's error description or the network error, if any.</param>
/// <param name="RetryAfter">How long the provider asked us to wait (HTTP 429/503 <c>Retry-After</c>).</param>
public sealed record OAuthFailure(OAuthFailureKind Kind, string Error, string? Description = null, TimeSpan? RetryAfter = null)
{
    /// <summary>One line for logs and status: error, description and retry hint.</summary>
    public override string ToString() =>
        Error
        + (string.IsNullOrWhiteSpace(Description) ? string.Empty : $": {Description}")
        + (RetryAfter is { } wait ? $" (retry after {wait.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)" : string.Empty);
}
