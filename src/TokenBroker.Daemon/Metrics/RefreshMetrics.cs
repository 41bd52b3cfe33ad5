using System.Diagnostics.Metrics;
using TokenBroker.Core.OAuth;

namespace TokenBroker.Daemon.Metrics;

/// <summary>The refresh scheduler's instrument: every refresh by result and, for a failure, its reason.</summary>
internal sealed class RefreshMetrics(IMeterFactory meters)
{
    public const string MeterName = "TokenBroker.Refresh";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
        "access_denied", "server_error", "temporarily_unavailable", "interaction_required", "consent_required", "login_required",
        "timeout", "network", "internal_error", "request_timeout", "service_not_available", "no_client_id", "no_refresh_token",
        "no_account", "no_endpoints", "discovery_policy", "confidential_client_unsupported",
    };

    private readonly Counter<long> _refreshes = meters.Create(MeterName).CreateCounter<long>("tokenbroker.refreshes", description: "Refreshes by result and reason");

    /// <summary>Counts a refresh; a failure's reason is its OAuth2 error code (<c>invalid_grant</c>, <c>http_503</c>, <c>timeout</c>…).</summary>
    public void Record(OAuthFailure? failure) => Record(failure?.Error);

    /// <summary>Counts a refresh that ended in <paramref name="reason"/>, or a success when it is null.</summary>
    public void Record(string? reason) => _refreshes.Add(
        1,
        new KeyValuePair<string, object?>("result", reason is null ? "success" : "failure"),
        new KeyValuePair<string, object?>("reason", reason is null ? string.Empty : Label(reason)));

    /// <summary>
    /// A provider's error code as a label: the OAuth2 codes (RFC 6749 5.2, 4.1.2.1), the broker's own
    /// (<c>http_NNN</c>, <c>timeout</c>, <c>network</c>…) and <c>other</c>, so a provider cannot make the
    /// series grow without end.
    /// </summary>
    private static string Label(string reason) =>
        Known.Contains(reason) || (reason.Length == 8 && reason.StartsWith("http_", StringComparison.Ordinal) && reason[5..].All(char.IsAsciiDigit))
            ? reason
            : "other";
}
