using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Core.Accounts;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests.Refresh;

public sealed class ManyAccountsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_thousand_accounts_with_equal_expiry_are_spread_by_jitter_and_refreshed_within_the_concurrency_limit()
    {
        // Google-like: one refresh token serves every account, so 999 copies of one consent are valid grants.
        await using var server = await AuthServer.StartAsync(new AuthServerOptions { RotateRefreshTokens = false });
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:Refresh:Concurrency"] = "3" });
        var seed = await daemon.ConsentAsync(server, "seed");
        var coordinator = daemon.App.Services.GetRequiredService<RefreshCoordinator>();
        var planned = new List<DateTimeOffset>();
        for (var i = 1; i < 1000; i++)
        {
            var account = await daemon.AddAccountAsync(server, "account" + i.ToString("D4", CultureInfo.InvariantCulture));
            var entry = await daemon.Store.UpdateGrantAsync(account.Name, _ => seed.Grant, None);
            planned.Add((await coordinator.PlanAsync(entry!, None))!.Value);
        }

        var before = server.TokenRequests;
        await daemon.AdvanceAsync(TimeSpan.FromMinutes(50), TimeSpan.FromSeconds(10));

        Assert.Equal(1000, server.TokenRequests - before);
        Assert.InRange(server.PeakConcurrentTokenRequests, 2, 3);
        Assert.True(planned.Max() - planned.Min() >= TimeSpan.FromSeconds(50), $"planned within {planned.Max() - planned.Min()}");
        Assert.True(planned.Select(p => p.ToUnixTimeSeconds()).Distinct().Count() >= 50);
        var listing = await daemon.Store.ListAsync(None);
        Assert.All(listing.Accounts, a => Assert.True(a.Grant.ExpiresAt > daemon.Clock.GetUtcNow().AddMinutes(30)));
        Assert.True(listing.Accounts.Select(a => a.Grant.LastRefresh).Distinct().Count() >= 5, "refreshes were not spread over time");
    }

    [Fact]
    public async Task An_account_with_a_long_lived_token_is_still_refreshed_every_keep_alive_period()
    {
        await using var server = await AuthServer.StartAsync(new AuthServerOptions { AccessTokenLifetime = TimeSpan.FromDays(30) });
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:Refresh:KeepAlive"] = "3.00:00:00" });
        var consented = await daemon.ConsentAsync(server);

        Assert.Equal(consented.Grant.LastRefresh!.Value.AddDays(3), await daemon.NextRefreshAsync("work"));
        await daemon.AdvanceAsync(TimeSpan.FromDays(3.1), TimeSpan.FromHours(2));

        var entry = (await daemon.Store.FindAsync(AccountName.Parse("work"), None))!;
        Assert.True(entry.Grant.LastRefresh > consented.Grant.LastRefresh!.Value.AddDays(2.9));
        Assert.NotEqual(consented.Grant.AccessToken, entry.Grant.AccessToken);
    }
}
