using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests.Consent;

/// <summary>A microsoft account's consent through the daemon: MSAL's URL, the loopback callback, the sealed cache.</summary>
public sealed class MicrosoftConsentTests
{
    [Fact]
    public async Task Consent_through_the_daemon_stores_the_MSAL_cache_and_a_refresh_works_from_it()
    {
        await using var server = await AuthServer.StartAsync(new AuthServerOptions { Https = true });
        await using var daemon = await InProcessDaemon.StartAsync(providerHandler: server.ClientHandler());
        var account = await daemon.AddAccountAsync(server, kind: ProviderKind.Microsoft);

        var started = (await daemon.Coordinator.StartAsync(account.Name, CancellationToken.None))!.Value!;
        var callback = await server.FollowAuthorizationAsync(started.AuthorizationUri);
        using var browser = InProcessDaemon.Browser();
        using var page = await browser.GetAsync(callback);

        Assert.StartsWith(server.Authority("organizations").AbsoluteUri, started.AuthorizationUri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var entry = (await daemon.Store.FindAsync(account.Name, CancellationToken.None))!;
        Assert.Equal(GrantState.Active, entry.Grant.State);
        Assert.NotNull(entry.Grant.MsalCache);
        Assert.Null(entry.Grant.RefreshToken);

        var refreshed = await daemon.App.Services.GetRequiredService<Core.OAuth.GrantRefresher>().RefreshAsync(account.Name, CancellationToken.None);

        Assert.Null(refreshed?.Failure);
        Assert.NotEqual(entry.Grant.MsalCache, refreshed!.Entry.Grant.MsalCache);
        Assert.Empty(server.Issued.FoundIn(daemon.LogText));
    }
}
