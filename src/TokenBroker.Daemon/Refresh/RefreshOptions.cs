using TokenBroker.Core;
using TokenBroker.Core.Refresh;

namespace TokenBroker.Daemon.Refresh;

/// <summary>The <c>TokenBroker:Refresh</c> section: how the scheduler refreshes and whom it tells.</summary>
internal sealed class RefreshOptions
{
    public const string Section = "TokenBroker:Refresh";

    /// <summary>The most refreshes in flight at once (default 4).</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>The longest an account goes without a refresh, even when idle (default 7 days).</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a lookup of a token in its final minute waits for the refresh (default 5 s).</summary>
    public TimeSpan LookupWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A program and its arguments, run (without a shell) when an account starts needing
    /// consent, with <c>TOKENBROKER_ACCOUNT</c>, <c>TOKENBROKER_STATE</c> and <c>TOKENBROKER_REASON</c> set.
    /// </summary>
    public IList<string> NotifyCommand { get; } = [];

    /// <summary>How long the notify command may run before it is killed (default 30 s).</summary>
    public TimeSpan NotifyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The refresh policy these settings give.</summary>
    /// <exception cref="SetupException">A value is out of range.</exception>
    public RefreshPolicy Policy()
    {
        Require(Concurrency is >= 1 and <= 256, "Concurrency", $"must be 1-256, not {Concurrency}");
        Require(KeepAlive >= TimeSpan.FromHours(1), "KeepAlive", $"must be at least 01:00:00, not {KeepAlive}");
        Require(LookupWait >= TimeSpan.Zero && LookupWait <= TimeSpan.FromMinutes(1), "LookupWait", $"must be 00:00:00-00:01:00, not {LookupWait}");
        Require(NotifyTimeout > TimeSpan.Zero, "NotifyTimeout", $"must be positive, not {NotifyTimeout}");
        return new RefreshPolicy { KeepAlive = KeepAlive };
    }

    private static void Require(bool valid, string key, string problem)
    {
        if (!valid)
        {
            throw new SetupException($"{Section}:{key} {problem}");
        }
    }
}
