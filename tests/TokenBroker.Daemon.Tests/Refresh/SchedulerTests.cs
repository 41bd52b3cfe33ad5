using Microsoft.Extensions.Logging;
using TokenBroker.Core.Grants;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Refresh;

/// <summary>The refresh scheduler in the real daemon (Quartz, LiteDB, OpenIddict) on a fake clock.</summary>
public sealed class SchedulerTests(ITestOutputHelper output)
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

    [Fact]
    public async Task A_30_minute_outage_serves_the_old_token_while_valid_never_an_expired_one_and_recovers_within_one_backoff_step()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync(providerTimeout: TimeSpan.FromSeconds(2));
        var run = await FaultRun.JustBeforeTheRefreshAsync(daemon, server);

        server.Outage = Fault.ServerError;
        await run.AdvanceAsync(TimeSpan.FromMinutes(15));
        server.Outage = Fault.Hang;
        await run.AdvanceAsync(TimeSpan.FromMinutes(15));
        server.Outage = null;
        await run.EndFaultAsync();

        var recovery = run.AssertRodeOut();
        var entry = (await daemon.Store.FindAsync(run.Consented.Account.Name, CancellationToken.None))!;
        Assert.Equal(GrantState.Active, entry.Grant.State);
        Assert.Contains("refresh failed", daemon.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain("needs consent", daemon.LogText, StringComparison.Ordinal);
        ReliabilityReport.Write(output, "provider down: HTTP 500, then no answer at all", $"30 minutes, {run.Answers.Count} lookups",
            $"valid token served, no expired one; recovered {recovery.TotalMinutes:0.#} min after the outage");
    }

    [Fact]
    public async Task A_grant_revoked_at_the_provider_needs_consent_notifies_once_and_leaves_other_accounts_alone()
    {
        await using var server = await AuthServer.StartAsync();
        using var notes = new TempDirectory();
        var noteFile = notes.Combine("notify.log");
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["TokenBroker:Refresh:NotifyCommand:0"] = "/bin/sh",
            ["TokenBroker:Refresh:NotifyCommand:1"] = "-c",
            ["TokenBroker:Refresh:NotifyCommand:2"] = $"echo \"$TOKENBROKER_ACCOUNT $TOKENBROKER_STATE $TOKENBROKER_REASON\" >> {noteFile}",
        });
        var work = await daemon.ConsentAsync(server, "work");
        await daemon.ConsentAsync(server, "home");

        await server.RevokeTokenAsync(work.Grant.RefreshToken!.Reveal());
        await daemon.AdvanceAsync(TimeSpan.FromHours(3), TimeSpan.FromMinutes(1));
        await Scheduling.WaitForAsync(() => File.Exists(noteFile) && File.ReadAllText(noteFile).EndsWith('\n'));

        var workAnswer = await daemon.LookupAsync("work");
        Assert.Equal(TokenAnswerKind.NeedsConsent, workAnswer.Kind);
        Assert.Contains("tokenbroker consent work", workAnswer.Reason, StringComparison.Ordinal);
        Assert.Null(await daemon.NextRefreshAsync("work"));
        var note = Assert.Single(File.ReadAllLines(noteFile));
        Assert.StartsWith("work needs-consent invalid_grant", note, StringComparison.Ordinal);
        var errors = daemon.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).Select(r => r.Message).ToList();
        var error = Assert.Single(errors);
        Assert.Contains("invalid_grant", error, StringComparison.Ordinal);
        Assert.Contains("Fix: tokenbroker consent work", error, StringComparison.Ordinal);
        var homeAnswer = await daemon.LookupAsync("home");
        Assert.Equal(TokenAnswerKind.Token, homeAnswer.Kind);
        Assert.True(homeAnswer.ExpiresAt - daemon.Clock.GetUtcNow() > TimeSpan.FromMinutes(5));

        await daemon.ConsentAsync(server, "work");
        Assert.NotNull(await daemon.NextRefreshAsync("work"));
        await daemon.AdvanceAsync(TimeSpan.FromHours(2), TimeSpan.FromMinutes(2));
        var again = await daemon.LookupAsync("work");
        Assert.Equal(TokenAnswerKind.Token, again.Kind);
        Assert.Single(File.ReadAllLines(noteFile));
        Assert.Empty(server.Issued.FoundIn(daemon.LogText + File.ReadAllText(noteFile)));
    }

    [Fact]
    public async Task A_notify_command_that_cannot_start_is_logged_and_refreshing_goes_on()
    {
        await using var server = await AuthServer.StartAsync();
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["TokenBroker:Refresh:NotifyCommand:0"] = "/nonexistent/notify",
        });
        var work = await daemon.ConsentAsync(server, "work");
        await daemon.ConsentAsync(server, "home");

        await server.RevokeTokenAsync(work.Grant.RefreshToken!.Reveal());
        await daemon.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));
        await Scheduling.WaitForAsync(() => daemon.LogText.Contains("Notify command for account work failed", StringComparison.Ordinal));
        await daemon.AdvanceAsync(TimeSpan.FromHours(2), TimeSpan.FromMinutes(2));

        Assert.Contains("/nonexistent/notify could not be run (Win32Exception", daemon.LogText, StringComparison.Ordinal);
        Assert.Equal(TokenAnswerKind.Token, (await daemon.LookupAsync("home")).Kind);
    }
}
