using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Core.Admin;
using TokenBroker.Core.OAuth;
using TokenBroker.Daemon.Metrics;
using TokenBroker.Postfix;

namespace TokenBroker.Daemon.Tests.Admin;

/// <summary>The Prometheus exposition: label limits, a consistent histogram, and only its own host's meters.</summary>
public sealed class MetricsCollectorTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    [Fact]
    public void A_provider_s_own_error_code_is_counted_as_other_so_labels_stay_few()
    {
        using var collector = new MetricsCollector(Meters);
        var refreshes = new RefreshMetrics(Meters);

        refreshes.Record(new OAuthFailure(OAuthFailureKind.Permanent, "invalid_grant"));
        refreshes.Record(new OAuthFailure(OAuthFailureKind.Transient, "http_503"));
        refreshes.Record(new OAuthFailure(OAuthFailureKind.Permanent, "AADSTS70043: \"quoted\"\nnew line"));
        refreshes.Record(new OAuthFailure(OAuthFailureKind.Permanent, "made_up_by_this_provider"));
        refreshes.Record((OAuthFailure?)null);

        var lines = Render(collector);
        Assert.Contains("tokenbroker_refreshes_total{result=\"failure\",reason=\"invalid_grant\"} 1", lines);
        Assert.Contains("tokenbroker_refreshes_total{result=\"failure\",reason=\"http_503\"} 1", lines);
        Assert.Contains("tokenbroker_refreshes_total{result=\"failure\",reason=\"other\"} 2", lines);
        Assert.Contains("tokenbroker_refreshes_total{result=\"success\"} 1", lines);
        Assert.Equal(4, lines.Count(l => l.StartsWith("tokenbroker_refreshes_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_histogram_s_count_is_its_last_bucket_even_while_lookups_are_recorded()
    {
        using var collector = new MetricsCollector(Meters);
        var lookups = new SocketmapMetrics(Meters);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                lookups.Duration.Record(0.0003);
            }
        });

        for (var i = 0; i < 50; i++)
        {
            var lines = Render(collector);
            var infinite = lines.Single(l => l.StartsWith("tokenbroker_lookup_duration_seconds_bucket{le=\"+Inf\"}", StringComparison.Ordinal)).Split(' ')[1];
            Assert.Equal($"tokenbroker_lookup_duration_seconds_count {infinite}", lines.Single(l => l.StartsWith("tokenbroker_lookup_duration_seconds_count", StringComparison.Ordinal)));
        }

        await stop.CancelAsync();
        await writer;
    }

    [Fact]
    public void Another_host_s_lookups_are_not_counted()
    {
        using var collector = new MetricsCollector(Meters);
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();

        new SocketmapMetrics(other.GetRequiredService<IMeterFactory>()).Lookups.Add(1, new KeyValuePair<string, object?>("result", "OK"));
        new SocketmapMetrics(Meters).Lookups.Add(1, new KeyValuePair<string, object?>("result", "TEMP"));

        var lines = Render(collector);
        Assert.Contains("tokenbroker_lookups_total{result=\"OK\"} 0", lines);
        Assert.Contains("tokenbroker_lookups_total{result=\"TEMP\"} 1", lines);
    }

    public void Dispose() => _services.Dispose();

    private static string[] Render(MetricsCollector collector) =>
        collector.Render(new StatusReport(DateTimeOffset.UnixEpoch, [])).Split('\n');
}
