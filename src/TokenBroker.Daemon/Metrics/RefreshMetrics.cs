using System.Diagnostics.Metrics;
using TokenBroker.Core.OAuth;

namespace TokenBroker.Daemon.Metrics;

/// <summary>The refresh scheduler's instrument: every refresh by result and, for a failure, its reason.</summary>
internal sealed class RefreshMetrics(IMeterFactory meters)
{
    public const string MeterName = "TokenBroker.Refresh";

    private readonly Counter<long> _refreshes = meters.Create(MeterName).CreateCounter<long>("tokenbroker.refreshes", description: "Refreshes by result and reason");

    /// <summary>Counts a refresh; a failure's reason is its OAuth2 error code (<c>invalid_grant</c>, <c>http_503</c>, <c>timeout</c>…).</summary>
    public void Record(OAuthFailure? failure) => Record(failure?.Error);

    /// <summary>Counts a refresh that ended in <paramref name="reason"/>, or a success when it is null.</summary>
    public void Record(string? reason) => _refreshes.Add(
        1,
        new KeyValuePair<string, object?>("result", reason is null ? "success" : "failure"),
        new KeyValuePair<string, object?>("reason", reason is null ? string.Empty : Label(reason)));

    /// <summary>A provider's error code as a short label: lower-case letters, digits and underscores only, so a provider cannot flood the label space.</summary>
    private static string Label(string reason)
    {
        var label = new string([.. reason.ToLowerInvariant().Take(40).Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return label.Length == 0 ? "unknown" : label;
    }
}
