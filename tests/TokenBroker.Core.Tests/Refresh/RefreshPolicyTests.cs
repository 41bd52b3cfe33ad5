using FsCheck;
using FsCheck.Xunit;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Refresh;

namespace TokenBroker.Core.Tests.Refresh;

public sealed class RefreshPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly RefreshPolicy _policy = new();

    [Theory]
    [InlineData(3600, 720)] // 1 hour: 20 % = 12 min
    [InlineData(1800, 600)] // 30 min: at least 10 min
    [InlineData(900, 450)] // 15 min: never more than half
    [InlineData(20, 10)] // test tokens: half
    public void The_margin_is_a_fifth_of_the_lifetime_at_least_ten_minutes_at_most_half(int lifetimeSeconds, int marginSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(marginSeconds), _policy.Margin(TimeSpan.FromSeconds(lifetimeSeconds)));

    [Fact]
    public void A_one_hour_token_is_refreshed_12_to_13_minutes_before_expiry()
    {
        var grant = Issued(TimeSpan.FromHours(1));

        Assert.Equal(Now.AddMinutes(48), _policy.RefreshAt(grant, Now, 0));
        Assert.Equal(Now.AddMinutes(47), _policy.RefreshAt(grant, Now, 1));
        Assert.Equal(Now.AddMinutes(47.5), _policy.RefreshAt(grant, Now, 0.5));
    }

    [Fact]
    public void A_long_lived_token_is_refreshed_after_the_keep_alive_period()
    {
        Assert.Equal(Now.AddDays(7), _policy.RefreshAt(Issued(TimeSpan.FromDays(90)), Now, 0.5));
        Assert.Equal(Now.AddDays(2), (_policy with { KeepAlive = TimeSpan.FromDays(2) }).RefreshAt(Issued(TimeSpan.FromDays(90)), Now, 0.5));
    }

    [Fact]
    public void A_grant_without_a_token_is_due_now()
    {
        Assert.Equal(Now, _policy.RefreshAt(Grant.None, Now, 0.7));
        Assert.True(_policy.IsDue(Grant.None, Now));
        Assert.False(_policy.IsDue(Issued(TimeSpan.FromHours(1)), Now));
        Assert.True(_policy.IsDue(Issued(TimeSpan.FromHours(1)), Now.AddMinutes(48)));
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(5, 480)]
    [InlineData(6, 600)]
    [InlineData(60, 600)]
    public void Retries_double_from_30_seconds_up_to_10_minutes(int failures, int seconds) =>
        Assert.Equal(Now.AddSeconds(seconds), _policy.RetryAt(failures, Now, null, null, 0));

    [Fact]
    public void Retries_come_faster_as_the_token_in_service_nears_expiry()
    {
        Assert.Equal(Now.AddSeconds(150), _policy.RetryAt(6, Now, Now.AddMinutes(10), null, 0));
        Assert.Equal(Now.AddSeconds(15), _policy.RetryAt(6, Now, Now.AddMinutes(1), null, 0));
        Assert.Equal(Now.AddSeconds(5), _policy.RetryAt(6, Now, Now.AddSeconds(4), null, 0));
    }

    [Fact]
    public void Retry_after_from_the_provider_is_honoured_and_jitter_only_moves_a_retry_earlier()
    {
        Assert.Equal(Now.AddSeconds(90), _policy.RetryAt(1, Now, null, TimeSpan.FromSeconds(90), 0.9));
        Assert.Equal(Now.AddSeconds(24), _policy.RetryAt(1, Now, null, null, 1));
        Assert.Equal(Now.AddHours(1), _policy.RetryAt(1, Now, null, TimeSpan.FromDays(3), 0));
    }

    [Property]
    public bool A_token_is_refreshed_before_it_expires_but_not_before_forty_percent_of_its_life_or_the_keep_alive(PositiveInt seconds, byte scale, NormalFloat jitter)
    {
        // Lifetimes from a second to years: FsCheck's integers stay small, so they are scaled up.
        var lifetime = TimeSpan.FromSeconds(Math.Min((double)seconds.Get * (1L << (scale % 24)), 1e9));
        var at = _policy.RefreshAt(Issued(lifetime), Now, jitter.Get);
        var earliest = Now + (lifetime * 0.4 < _policy.KeepAlive ? lifetime * 0.4 : _policy.KeepAlive);
        return at < Now + lifetime && at >= earliest;
    }

    [Property]
    public bool A_retry_comes_after_4_seconds_to_10_minutes(PositiveInt failures, int expiresInSeconds, NormalFloat jitter)
    {
        var at = _policy.RetryAt(failures.Get, Now, Now.AddSeconds(expiresInSeconds), null, jitter.Get);
        return at >= Now.AddSeconds(4) && at <= Now.AddMinutes(10);
    }

    private static Grant Issued(TimeSpan lifetime) => new()
    {
        State = GrantState.Active,
        IssuedAt = Now,
        LastRefresh = Now,
        ExpiresAt = Now + lifetime,
    };
}
