using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests.Refresh;

/// <summary>The refresh scheduler in the real daemon (Quartz, LiteDB, OpenIddict) on a fake clock.</summary>
public sealed class SchedulerTests
{
    [Fact]
    public async Task Over_24_hours_of_one_hour_tokens_every_token_served_has_five_minutes_left()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync();
        await daemon.ConsentAsync(server);
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        var requestsBefore = server.TokenRequests;

        await daemon.AdvanceAsync(TimeSpan.FromHours(24), TimeSpan.FromMinutes(2), async () =>
        {
            var answer = await daemon.LookupAsync("work");
            Assert.Equal(TokenAnswerKind.Token, answer.Kind);
            Assert.True(answer.ExpiresAt - daemon.Clock.GetUtcNow() >= TimeSpan.FromMinutes(5), $"served a token with {answer.ExpiresAt - daemon.Clock.GetUtcNow()} left, next {await daemon.NextRefreshAsync("work")}\n{daemon.LogText}");
            tokens.Add(answer.Token!.Reveal());
        });

        // A refresh every 48 minutes or so: 30 in a day, and no storm.
        Assert.InRange(tokens.Count, 28, 33);
        Assert.InRange(server.TokenRequests - requestsBefore, 28, 33);
        Assert.Empty(server.Issued.FoundIn(daemon.LogText));
    }
}
