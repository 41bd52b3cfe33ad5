using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using TokenBroker.Core.Admin;
using TokenBroker.Postfix;

namespace TokenBroker.Daemon.Metrics;

/// <summary>
/// Listens to the broker's instruments and writes them, with every account's state and token expiry
/// read at scrape time, in the Prometheus text format (version 0.0.4).
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    /// <summary>Upper bounds of the lookup latency buckets, in seconds: Postfix waits up to 100 s, a healthy answer takes well under 1 ms.</summary>
    private static readonly double[] Bounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

    private static readonly string[] States = ["active", "failing", "needs_consent", "unreadable"];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), StrongBox<long>> _counters = new();

    // By instrument and tag values (constant strings on the lookup path): a lookup finds its counter without allocating.
    private readonly ConcurrentDictionary<(string Instrument, object? First, object? Second), StrongBox<long>> _byTags = new();
    private readonly long[] _buckets = new long[Bounds.Length + 1];
    private long _durationNanoseconds;

    public MetricsCollector(IMeterFactory meters)
    {
        foreach (var result in new[] { "OK", "NOTFOUND", "TEMP", "PERM" })
        {
            Counter("tokenbroker_lookups_total", $"result=\"{result}\"");
        }

        Counter("tokenbroker_refreshes_total", "result=\"success\"");
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this host's meters: another host in the same process (tests) has its own factory.
            if (instrument.Meter.Scope == meters && instrument.Meter.Name is SocketmapMetrics.MeterName or RefreshMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = (instrument.Name, tags.Length > 0 ? tags[0].Value : null, tags.Length > 1 ? tags[1].Value : null);
            if (!_byTags.TryGetValue(key, out var counter))
            {
                var name = instrument.Meter.Name == SocketmapMetrics.MeterName ? "tokenbroker_lookups_total" : "tokenbroker_refreshes_total";
                counter = _byTags.GetOrAdd(key, Counter(name, Labels(tags)));
            }

            Interlocked.Add(ref counter.Value, value);
        });
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => RecordDuration(seconds));
        _listener.Start();
    }

    /// <summary>The whole exposition: counters, the latency histogram and the per-account gauges from <paramref name="report"/>.</summary>
    public string Render(StatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        Family(text, "tokenbroker_lookups_total", "counter", "Postfix socketmap answers by result.");
        Family(text, "tokenbroker_refreshes_total", "counter", "Token refreshes by result, and for failures the provider's error code.");
        text.Append("# HELP tokenbroker_lookup_duration_seconds Time from a complete socketmap request to its answer.\n# TYPE tokenbroker_lookup_duration_seconds histogram\n");
        var cumulative = 0L;
        for (var i = 0; i < _buckets.Length; i++)
        {
            cumulative += Volatile.Read(ref _buckets[i]);
            var bound = i < Bounds.Length ? Bounds[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
            text.Append(CultureInfo.InvariantCulture, $"tokenbroker_lookup_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"tokenbroker_lookup_duration_seconds_sum {Volatile.Read(ref _durationNanoseconds) / 1e9}\n");
        // The count is the +Inf bucket's, read once: counted apart, the two could disagree under load.
        text.Append(CultureInfo.InvariantCulture, $"tokenbroker_lookup_duration_seconds_count {cumulative}\n");
        text.Append("# HELP tokenbroker_account_state The account's state: 1 for the state it is in, 0 for the others.\n# TYPE tokenbroker_account_state gauge\n");
        foreach (var account in report.Accounts)
        {
            foreach (var state in States)
            {
                text.Append(CultureInfo.InvariantCulture, $"tokenbroker_account_state{{account=\"{Escape(account.Name)}\",state=\"{state}\"}} {(account.State == state ? 1 : 0)}\n");
            }
        }

        text.Append("# HELP tokenbroker_account_token_expiry_seconds Seconds until the account's access token expires; negative once it has.\n# TYPE tokenbroker_account_token_expiry_seconds gauge\n");
        foreach (var account in report.Accounts.Where(a => a.ExpiresAt is not null))
        {
            var seconds = Math.Round((account.ExpiresAt!.Value - report.Now).TotalSeconds, 3);
            text.Append(CultureInfo.InvariantCulture, $"tokenbroker_account_token_expiry_seconds{{account=\"{Escape(account.Name)}\"}} {seconds}\n");
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private StrongBox<long> Counter(string name, string labels) => _counters.GetOrAdd((name, labels), _ => new StrongBox<long>());

    private void Family(StringBuilder text, string name, string type, string help)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
        foreach (var ((_, labels), count) in _counters.Where(c => c.Key.Name == name).OrderBy(c => c.Key.Labels, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {Volatile.Read(ref count.Value)}\n");
        }
    }

    private void RecordDuration(double seconds)
    {
        var bucket = Array.FindIndex(Bounds, bound => seconds <= bound);
        Interlocked.Increment(ref _buckets[bucket < 0 ? Bounds.Length : bucket]);
        Interlocked.Add(ref _durationNanoseconds, (long)(seconds * 1e9));
    }

    /// <summary>The tags as Prometheus labels, empty ones left out.</summary>
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            if (value is string { Length: > 0 } text)
            {
                labels.Add($"{key}=\"{Escape(text)}\"");
            }
        }

        return string.Join(',', labels);
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
