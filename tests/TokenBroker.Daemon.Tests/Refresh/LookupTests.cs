using TokenBroker.Core.Grants;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests.Refresh;

/// <summary>Lookups of a token near its expiry, and a clock that jumps.</summary>
public sealed class LookupTests : IAsyncLifetime
{
    private AuthServer _server = null!;
    private InProcessDaemon _daemon = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthServer.StartAsync();
        _daemon = await InProcessDaemon.StartAsync(providerTimeout: TimeSpan.FromSeconds(2));
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Lookups_of_a_token_in_its_final_minute_share_one_refresh()
    {
        var entry = await _daemon.ConsentAsync(_server);
        await ExpireSoonAsync(entry, TimeSpan.FromSeconds(30));
        var before = _server.TokenRequests;

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _daemon.LookupAsync("work")));

        Assert.Equal(1, _server.TokenRequests - before);
        Assert.All(answers, a => Assert.Equal(TokenAnswerKind.Token, a.Kind));
        var token = Assert.Single(answers.Select(a => a.Token!.Reveal()).Distinct());
        Assert.NotEqual(entry.Grant.AccessToken!.Reveal(), token);
        Assert.All(answers, a => Assert.True(a.ExpiresAt > _daemon.Clock.GetUtcNow().AddMinutes(30)));
    }

    [Fact]
    public async Task A_lookup_waits_at_most_the_lookup_wait_then_serves_the_still_valid_token()
    {
        await using var daemon = await InProcessDaemon.StartAsync(providerTimeout: TimeSpan.FromMinutes(5));
        var entry = await daemon.ConsentAsync(_server);
        await ExpireSoonAsync(daemon, entry, TimeSpan.FromSeconds(30));
        var before = _server.TokenRequests;
        _server.Outage = Fault.Hang;

        var lookup = daemon.LookupAsync("work");
        await Scheduling.WaitForAsync(() => _server.TokenRequests > before);

        daemon.Clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System);
        Assert.False(lookup.IsCompleted, "the lookup gave up before the lookup wait");
        daemon.Clock.Advance(TimeSpan.FromSeconds(1));
        var answer = await lookup.WaitAsync(TimeSpan.FromSeconds(2), TimeProvider.System);

        Assert.Equal(TokenAnswerKind.Token, answer.Kind);
        Assert.Equal(entry.Grant.AccessToken!.Reveal(), answer.Token!.Reveal());
        _server.Outage = null;
    }

    [Fact]
    public async Task A_token_that_expired_without_a_refresh_is_never_served()
    {
        var entry = await _daemon.ConsentAsync(_server);
        await ExpireSoonAsync(entry, TimeSpan.FromSeconds(-1));
        _server.Outage = Fault.ServerError;

        var answer = await _daemon.LookupAsync("work");

        Assert.Equal(TokenAnswerKind.Unavailable, answer.Kind);
        Assert.Null(answer.Token);
        Assert.Contains("http_500", answer.Reason, StringComparison.Ordinal);
        _server.Outage = null;
    }

    [Fact]
    public async Task After_the_clock_jumps_three_hours_the_account_refreshes_once_and_serves_only_a_fresh_token()
    {
        await _daemon.ConsentAsync(_server);
        var before = _server.TokenRequests;

        _daemon.Clock.Advance(TimeSpan.FromHours(3));
        var answer = await _daemon.LookupAsync("work");
        await _daemon.SettleAsync();

        Assert.Equal(TokenAnswerKind.Token, answer.Kind);
        Assert.True(answer.ExpiresAt > _daemon.Clock.GetUtcNow().AddMinutes(30));
        Assert.Equal(1, _server.TokenRequests - before);
        Assert.True(await _daemon.NextRefreshAsync("work") > _daemon.Clock.GetUtcNow().AddMinutes(30));
    }

    /// <summary>Moves the stored token's expiry to <paramref name="left"/> from now, as if the scheduler had fallen behind.</summary>
    private Task ExpireSoonAsync(Core.Storage.AccountEntry entry, TimeSpan left) => ExpireSoonAsync(_daemon, entry, left);

    private static async Task ExpireSoonAsync(InProcessDaemon daemon, Core.Storage.AccountEntry entry, TimeSpan left) =>
        await daemon.Store.UpdateGrantAsync(entry.Account.Name, grant => grant with { ExpiresAt = daemon.Clock.GetUtcNow() + left, State = GrantState.Active }, CancellationToken.None);
}
