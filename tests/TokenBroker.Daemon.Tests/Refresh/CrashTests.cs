using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Refresh;

/// <summary>The real tokenbrokerd, killed with SIGKILL while it refreshes rotating refresh tokens.</summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Accounts = 10;

    [Fact]
    public async Task Killing_the_daemon_mid_refresh_in_a_loop_never_loses_a_grant()
    {
        // Every refresh rotates the refresh token; the previous one stays valid for 10 s, long enough
        // for a restart, too short for a daemon that kept using a refresh token it had replaced.
        await using var server = await AuthServer.StartAsync(new AuthServerOptions
        {
            AccessTokenLifetime = TimeSpan.FromSeconds(4),
            RefreshTokenReuseLeeway = TimeSpan.FromSeconds(10),
        });
        await using var seeded = await InProcessDaemon.StartAsync();
        for (var i = 0; i < Accounts; i++)
        {
            await seeded.ConsentAsync(server, $"acct{i}");
        }

        await seeded.StopAsync();
        using var run = new DaemonRun();
        run.WriteConfig(new { seeded.StateDirectory });
        var outputs = new List<string>();
        var random = new Random(20261129);
        var rounds = 12 * ReliabilityReport.Scale;
        for (var round = 0; round < rounds; round++)
        {
            using var daemon = await run.StartReadyAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(50, 2500)), TimeProvider.System);
            daemon.Kill();
            outputs.Add(daemon.Output);
        }

        using var last = await run.StartReadyAsync();
        for (var i = 0; i < Accounts; i++)
        {
            await last.WaitForLineAsync($"Account acct{i} refreshed");
        }

        last.Terminate();
        Assert.Equal(0, await last.WaitForExitAsync());
        var all = string.Join('\n', outputs.Append(last.Output));
        Assert.Contains("refreshed", string.Join('\n', outputs), StringComparison.Ordinal);
        Assert.DoesNotContain("needs consent", all, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid_grant", all, StringComparison.Ordinal);
        Assert.Empty(server.Issued.FoundIn(all));
        ReliabilityReport.Write(output, "SIGKILL during refreshes of rotating refresh tokens", $"{rounds} kills, {Accounts} accounts", "every account refreshed after the restart; no invalid_grant, no needs consent");
    }
}
