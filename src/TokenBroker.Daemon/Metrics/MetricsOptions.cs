namespace TokenBroker.Daemon.Metrics;

/// <summary>The <c>TokenBroker:Metrics</c> settings: Prometheus metrics and a health check, off unless enabled.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "TokenBroker:Metrics";

    /// <summary>Serves <c>/metrics</c> and <c>/health</c> on the admin socket (and on <see cref="Port"/> when set).</summary>
    public bool Enabled { get; set; }

    /// <summary>A TCP port on 127.0.0.1 that serves the same two paths, for a Prometheus scraper; default none.</summary>
    public int? Port { get; set; }

    /// <summary>Whether an account that needs consent (or cannot be read) makes <c>/health</c> answer 503; default true.</summary>
    public bool UnhealthyWhenNeedsConsent { get; set; } = true;

    /// <exception cref="Core.SetupException">The port is out of range.</exception>
    public void Check()
    {
        if (Port is not null and (< 1 or > 65535))
        {
            throw new Core.SetupException($"{Section}:Port must be 1-65535, not {Port}");
        }
    }
}
