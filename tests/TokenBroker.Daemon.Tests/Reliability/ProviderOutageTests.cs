using TokenBroker.Core.Grants;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.Daemon.Tests.Refresh;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Reliability;

/// <summary>
/// The provider down for an hour, answering 429 with a long <c>Retry-After</c>, or slow, on the
/// daemon's fake clock: the valid token is served, an expired one never is, the provider is not
/// stormed, and the account recovers once the fault ends.
/// </summary>
public sealed class ProviderOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_hour_down_keeps_the_valid_token_backs_off_and_recovers()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync(providerTimeout: TimeSpan.FromSeconds(2));
        var run = await FaultRun.JustBeforeTheRefreshAsync(daemon, server);
        var before = server.TokenRequests;

        server.Outage = Fault.ServerError;
        await run.AdvanceAsync(TimeSpan.FromHours(1));
        var tried = server.TokenRequests - before;
        server.Outage = null;
        await run.EndFaultAsync();

        var recovery = run.AssertRodeOut();
        // Backoff: 30 s doubling, but at most a quarter of the time the old token has left (so tighter
        // towards its expiry), then 10 minutes apart: about 20 tries in the hour, against 120 lookups.
        Assert.InRange(tried, 10, 25);
        Assert.Equal(GrantState.Active, (await daemon.Store.FindAsync(run.Consented.Account.Name, CancellationToken.None))!.Grant.State);
        Assert.Empty(server.Issued.FoundIn(daemon.LogText));
        ReliabilityReport.Write(output, "provider down for an hour (HTTP 500)", $"60 minutes, {tried} refresh tries, {run.Answers.Count} lookups",
            $"valid token served, no expired one; recovered {recovery.TotalMinutes:0.#} min after the outage");
    }

    [Fact]
    public async Task A_429_storm_is_never_retried_before_its_Retry_After()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync(providerTimeout: TimeSpan.FromSeconds(2));
        server.Clock = daemon.Clock;
        server.RetryAfter = TimeSpan.FromMinutes(5);
        var run = await FaultRun.JustBeforeTheRefreshAsync(daemon, server);
        var before = server.TokenRequestTimes.Count;

        server.Outage = Fault.TooManyRequests;
        await run.AdvanceAsync(TimeSpan.FromMinutes(30));
        var storm = server.TokenRequestTimes.Skip(before).ToList();
        server.Outage = null;
        await run.EndFaultAsync();

        var recovery = run.AssertRodeOut();
        Assert.InRange(storm.Count, 2, 7);
        Assert.All(storm.Zip(storm.Skip(1)), pair => Assert.True(pair.Second - pair.First >= server.RetryAfter, $"retried {pair.Second - pair.First} after a 429"));
        Assert.Contains("http_429", daemon.LogText, StringComparison.Ordinal);
        ReliabilityReport.Write(output, "provider answers 429 with Retry-After: 300", $"30 minutes, {storm.Count} refresh tries, {run.Answers.Count} lookups",
            $"no retry before Retry-After; valid token served, no expired one; recovered {recovery.TotalMinutes:0.#} min after");
    }

    [Fact]
    public async Task A_provider_answering_after_30_seconds_is_waited_for_and_every_lookup_gets_a_token()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync();
        server.Clock = daemon.Clock;
        daemon.WaitingOnClock = () => server.SlowTokenRequests;
        var run = new FaultRun(daemon, await daemon.ConsentAsync(server));
        var before = server.TokenRequests;

        server.Outage = Fault.Slow;
        await run.AdvanceAsync(TimeSpan.FromHours(3));

        var refreshes = server.TokenRequests - before;
        Assert.InRange(refreshes, 3, 4);
        Assert.All(run.Answers, a => Assert.True(a.Answer.Kind == TokenAnswerKind.Token && a.Answer.ExpiresAt > a.At, $"{a.Answer.Kind} at {a.At}"));
        Assert.Equal(refreshes + 1, run.Answers.Select(a => a.Answer.Token!.Reveal()).Distinct().Count());
        Assert.DoesNotContain("refresh failed", daemon.LogText, StringComparison.Ordinal);
        ReliabilityReport.Write(output, "provider answers every refresh 30 s late", $"3 hours, {refreshes} refreshes, {run.Answers.Count} lookups",
            "every refresh waited for and kept; every lookup answered with a valid token");
    }
}
