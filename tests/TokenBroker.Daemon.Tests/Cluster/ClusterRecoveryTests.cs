using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Cluster;

/// <summary>
/// A node killed while its refresh waits on the provider: Quartz's cluster finds the node dead and
/// runs the refresh again on another. Nothing else would: the killed node had taken the only plan,
/// and no lookup asks for the account.
/// </summary>
public sealed class ClusterRecoveryTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static readonly string[] Relays = ["relay1", "relay2"];

    [Fact]
    public async Task A_refresh_in_flight_on_a_killed_node_runs_again_on_the_other_node()
    {
        // 90-second tokens: the one refresh is due 36-45 s after the consent, after both nodes are up.
        await using var server = await AuthServer.StartAsync(new AuthServerOptions { AccessTokenLifetime = TimeSpan.FromSeconds(90), RotateRefreshTokens = true });
        await using var lab = await ClusterLab.CreateAsync(server, await postgres.Server.CreateDatabaseAsync());
        await lab.AddConsentedAccountsAsync(1);
        var account = AccountName.Parse("account0");
        server.Fail(Fault.Hang);
        foreach (var relay in Relays)
        {
            await lab.StartNodeAsync(relay);
        }

        var bothUp = TimeProvider.System.GetUtcNow();
        await server.WaitForFaultsTakenAsync(within: TimeSpan.FromSeconds(60));
        Assert.True(server.TokenRequestTimes.Last() > bothUp, "the refresh began before both nodes were up: the survivor's own plan would hide recovery");
        var holder = Assert.Single(await lab.HoldersAsync());
        var survivor = Relays.Single(relay => relay != holder);

        lab.Node(holder).Kill();
        var killedAt = TimeProvider.System.GetUtcNow();
        while (!lab.Refreshes().Any(r => r.Node == survivor))
        {
            Assert.True(TimeProvider.System.GetUtcNow() - killedAt < TimeSpan.FromSeconds(45), $"{survivor} did not refresh the account within 45 s of {holder}'s death");
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }

        // The log's times are whole seconds; the server's record of the survivor's request is not.
        var takeover = server.RefreshTokensPresented.Last().At - killedAt;
        output.WriteLine($"{holder} killed during its refresh; {survivor} refreshed the account {takeover.TotalSeconds:F1} s later (check-in interval 2 s)");
        // Quartz calls a node dead once its check-in is late by the interval and the misfire threshold (2 s each here).
        Assert.InRange(takeover, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(lab.Refreshes(), r => r.Node == holder);
        var grant = (await lab.Store.FindAsync(account, CancellationToken.None))!.Grant;
        Assert.Equal((GrantState.Active, survivor), (grant.State, grant.RefreshedBy));
        // The killed node's request was never answered, so the survivor presented the same refresh token, once answered.
        var presented = server.RefreshTokensPresented.Select(p => p.RefreshToken).ToList();
        Assert.Equal(2, presented.Count);
        Assert.Single(presented.Distinct(StringComparer.Ordinal));
        ReliabilityReport.Write(output, "a relay SIGKILLed while its refresh waits on the provider (two relays on PostgreSQL)", "1 kill",
            $"the other relay ran the refresh {takeover.TotalSeconds:F1} s later (check-in 2 s), with the refresh token the killed one got no answer for; grant active");
    }
}
