using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace TokenBroker.Postfix;

/// <summary>
/// The lookup service's instruments (System.Diagnostics.Metrics): every answer by status, and how
/// long the table took. They cost nothing until a listener (the daemon's metrics, dotnet-counters)
/// listens; made through the host's <see cref="IMeterFactory"/>, so each host's listener sees its own.
/// </summary>
public sealed class SocketmapMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "TokenBroker.Postfix";

    /// <summary>Creates the instruments on a meter from <paramref name="meters"/>.</summary>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "The factory owns its meters and disposes them with the host.")]
    public SocketmapMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        Lookups = meter.CreateCounter<long>("tokenbroker.lookups", description: "Socketmap answers by result");
        Duration = meter.CreateHistogram<double>("tokenbroker.lookup.duration", "s", "Socketmap lookup latency");
    }

    /// <summary>Answers sent, tagged <c>result</c> = <c>OK</c>, <c>NOTFOUND</c>, <c>TEMP</c> or <c>PERM</c>.</summary>
    public Counter<long> Lookups { get; }

    /// <summary>Seconds from a complete request to its answer.</summary>
    public Histogram<double> Duration { get; }

    /// <summary>The wire name of a status, as the <c>result</c> tag carries it.</summary>
    public static string Result(SocketmapStatus status) => status switch
    {
        SocketmapStatus.Ok => "OK",
        SocketmapStatus.NotFound => "NOTFOUND",
        SocketmapStatus.Temp => "TEMP",
        _ => "PERM",
    };
}
