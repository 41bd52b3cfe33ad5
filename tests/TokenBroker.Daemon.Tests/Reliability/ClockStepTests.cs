using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.Daemon.Tests.Refresh;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Reliability;

/// <summary>The daemon's clock jumping by hours (a suspended VM, an NTP step): one refresh per account, never an expired token.</summary>
public sealed class ClockStepTests(ITestOutputHelper output)
{
    private const int Accounts = 8;

    [Fact]
    public async Task A_step_forward_refreshes_each_account_once_and_a_step_back_refreshes_none_and_no_expired_token_is_served()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync();
        for (var i = 0; i < Accounts; i++)
        {
            await daemon.ConsentAsync(server, $"acct{i}", matchKeys: [$"acct{i}@example.test"]);
        }

        var requests = server.TokenRequests;
        daemon.Clock.Advance(TimeSpan.FromHours(5));
        var afterJump = await LookAllAsync(daemon);
        await daemon.SettleAsync();
        var forward = server.TokenRequests - requests;

        requests = server.TokenRequests;
        daemon.Clock.Step(TimeSpan.FromHours(-3));
        var afterStepBack = await LookAllAsync(daemon);
        await daemon.AdvanceAsync(TimeSpan.FromHours(2), TimeSpan.FromMinutes(5));
        var back = server.TokenRequests - requests;

        // Right after each jump every account was served a token, each with time left by the clock then.
        Assert.All(afterJump.Concat(afterStepBack), answer => Assert.True(answer.Kind == TokenAnswerKind.Token, answer.Reason));
        Assert.Equal(Accounts, forward);
        Assert.Equal(0, back);
        Assert.Empty(server.Issued.FoundIn(daemon.LogText));
        ReliabilityReport.Write(output, "clock steps", $"+5 h, then -3 h, {Accounts} accounts", $"{forward} refreshes after the step forward, {back} after the step back; a token with time left at every lookup");
    }

    /// <summary>Looks up every account at once, as Postfix would after the jump, and checks each answer against the clock then.</summary>
    private static async Task<List<TokenAnswer>> LookAllAsync(InProcessDaemon daemon)
    {
        var now = daemon.Clock.GetUtcNow();
        var answers = await Task.WhenAll(Enumerable.Range(0, Accounts).Select(i => daemon.LookupAsync($"acct{i}")));
        Assert.All(answers, a => Assert.True(a.Kind != TokenAnswerKind.Token || a.ExpiresAt > now, $"served a token that expired at {a.ExpiresAt}, now {now}"));
        return [.. answers];
    }
}
