using TokenBroker.Core.Grants;

namespace TokenBroker.Core.Refresh;

/// <summary>
/// When to refresh an access token, and how long to wait after a failed refresh. Pure arithmetic:
/// the caller passes the current time and a random fraction for the jitter.
/// </summary>
public sealed record RefreshPolicy
{
    /// <summary>The least time before expiry a refresh happens (10 minutes).</summary>
    public TimeSpan MinimumMargin { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The share of a token's lifetime left when it is refreshed, if larger than <see cref="MinimumMargin"/> (20 %).</summary>
    public double MarginShare { get; init; } = 0.2;

    /// <summary>The most a refresh is moved earlier at random, so accounts with equal expiry spread out (60 s).</summary>
    public TimeSpan MaximumJitter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest an account goes without a refresh, however long its token lives (7 days).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The wait after the first failure; it doubles with each further one (30 s).</summary>
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between retries (10 minutes).</summary>
    public TimeSpan MaximumRetry { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The time left before expiry at which a token is refreshed: <c>max(10 min, 20 % of lifetime)</c>,
    /// but never more than half the lifetime, so short-lived tokens do not refresh in a loop.
    /// </summary>
    public TimeSpan Margin(TimeSpan lifetime)
    {
        var margin = Max(MinimumMargin, lifetime * MarginShare);
        return Min(margin, lifetime / 2);
    }

    /// <summary>
    /// When to refresh <paramref name="grant"/>: its refresh window minus jitter, or the keep-alive
    /// time if that comes first. A grant without an expiry is due at <paramref name="now"/>.
    /// </summary>
    /// <param name="grant">The stored grant.</param>
    /// <param name="now">The current time.</param>
    /// <param name="jitter">A random fraction in [0, 1).</param>
    public DateTimeOffset RefreshAt(Grant grant, DateTimeOffset now, double jitter)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (grant.ExpiresAt is not { } expiresAt)
        {
            return now;
        }

        var lifetime = Max(TimeSpan.Zero, expiresAt - (grant.IssuedAt ?? now));
        var spread = Min(MaximumJitter, lifetime / 10) * Fraction(jitter);
        var due = expiresAt - Margin(lifetime) - spread;
        var keepAlive = (grant.LastRefresh ?? now) + KeepAlive;
        return due < keepAlive ? due : keepAlive;
    }

    /// <summary>True when <paramref name="grant"/> has no token, or its token is expired or inside its refresh window.</summary>
    public bool IsDue(Grant grant, DateTimeOffset now) => RefreshAt(grant, now, 0) <= now;

    /// <summary>
    /// When to retry after <paramref name="failures"/> transient failures in a row: 30 s doubling up to
    /// 10 minutes, at most a quarter of the time a still-valid token has left, never before the
    /// provider's <c>Retry-After</c>; up to a fifth earlier at random.
    /// </summary>
    /// <param name="failures">Failures in a row, at least 1.</param>
    /// <param name="now">The current time.</param>
    /// <param name="expiresAt">When the token in service expires, if there is one.</param>
    /// <param name="retryAfter">The wait the provider asked for, if any.</param>
    /// <param name="jitter">A random fraction in [0, 1).</param>
    public DateTimeOffset RetryAt(int failures, DateTimeOffset now, DateTimeOffset? expiresAt, TimeSpan? retryAfter, double jitter)
    {
        var doublings = Math.Clamp(failures - 1, 0, 20);
        var wait = Min(MaximumRetry, FirstRetry * Math.Pow(2, doublings));
        if (expiresAt is { } expiry && expiry > now)
        {
            wait = Min(wait, Max(TimeSpan.FromSeconds(5), (expiry - now) / 4));
        }

        wait -= wait * 0.2 * Fraction(jitter);
        if (retryAfter is { } asked && asked > wait)
        {
            wait = Min(asked, TimeSpan.FromHours(1));
        }

        return now + wait;
    }

    private static double Fraction(double value) => double.IsFinite(value) ? Math.Clamp(value, 0, 1) : 0;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
