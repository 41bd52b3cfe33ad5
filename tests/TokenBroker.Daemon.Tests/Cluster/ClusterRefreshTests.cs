using TokenBroker.Core.Grants;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Cluster;

/// <summary>Refreshes of one account asked of every node at the same moment: the row hold puts them one after the other.</summary>
public sealed class ClusterRefreshTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Accounts = 30;
    private static readonly string[] Relays = ["relay1", "relay2", "relay3"];

    [Fact]
    public async Task Every_node_refreshing_every_account_at_once_never_presents_a_refresh_token_twice()
    {
        // Strict rotation: a refresh token presented twice would revoke the grant.
        await using var server = await AuthServer.StartAsync(new AuthServerOptions { RotateRefreshTokens = true });
        await using var lab = await ClusterLab.CreateAsync(server, await postgres.Server.CreateDatabaseAsync());
        await lab.AddConsentedAccountsAsync(Accounts);
        foreach (var relay in Relays)
        {
            await lab.StartNodeAsync(relay);
        }

        for (var round = 0; round < 2; round++)
        {
            var storms = Relays.Select(relay => lab.CliAsync(relay, "refresh", "--all"));
            Assert.All(await Task.WhenAll(storms), result => Assert.True(result.ExitCode == 0, result.ToString()));
        }

        var presented = server.RefreshTokensPresented.Select(p => p.RefreshToken).ToList();
        Assert.Equal(Relays.Length * Accounts * 2, presented.Count);
        Assert.Equal(presented.Count, presented.Distinct(StringComparer.Ordinal).Count());
        var listing = await lab.Store.ListAsync(CancellationToken.None);
        Assert.Equal(Accounts, listing.Accounts.Count(a => a.Grant.State == GrantState.Active));
        Assert.All(listing.Accounts, a => Assert.Contains(a.Grant.RefreshedBy, Relays));
        // Each node refreshed each account once a round: after waiting for the row, never instead of refreshing.
        Assert.All(Relays, relay => Assert.Equal(Accounts * 2, lab.Refreshes().Count(r => r.Node == relay)));
    }
}
