using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests.Consent;

/// <summary>The whole consent in Debian's headless Chromium: test IdP login page, approve, redirect to the broker, success page.</summary>
public sealed class BrowserConsentTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task A_person_approving_in_Chromium_ends_on_the_success_page_with_the_grant_stored()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (.ci/run does)");
        await using var server = await AuthServer.StartAsync(new AuthServerOptions { AutoApprove = false });
        await using var daemon = await InProcessDaemon.StartAsync();
        var account = await daemon.AddAccountAsync(server);
        var started = (await daemon.Coordinator.StartAsync(account.Name, CancellationToken.None))!.Value!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        // A bound on liveness, not a speed target: on two busy CI cores Chromium has needed more than the default 30 s.
        page.SetDefaultTimeout(120_000);
        page.SetDefaultNavigationTimeout(120_000);
        try
        {
            await page.GotoAsync(started.AuthorizationUri.AbsoluteUri);
            Assert.Equal("Test IdP: sign in", await page.TitleAsync());
            await page.ClickAsync("#approve");
            // Waiting for the success page's element, which polls the page, rather than for a navigation or
            // lifecycle event: Debian's Chromium is newer than the one Playwright ships for, and both a missed
            // "load" event and WaitForURL(Commit) on a navigation already committed have hung CI.
            var message = page.Locator("#message");
            await message.WaitForAsync();

            Assert.StartsWith(daemon.Endpoint.RedirectUri.AbsoluteUri, page.Url, StringComparison.Ordinal);
            Assert.Equal("TokenBroker: Consent stored", await page.TitleAsync());
            Assert.Contains("holds a grant for account work", await message.InnerTextAsync(), StringComparison.Ordinal);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Chromium stuck at {page.Url.Split('?')[0]}; daemon log:\n{daemon.LogText}", e);
        }
        Assert.Equal(200, (await started.Outcome).StatusCode);
        var entry = (await daemon.Store.FindAsync(account.Name, CancellationToken.None))!;
        Assert.Equal(GrantState.Active, entry.Grant.State);
        var refresher = daemon.App.Services.GetRequiredService<GrantRefresher>();
        var refreshed = await refresher.RefreshAsync(account.Name, CancellationToken.None);
        Assert.Null(refreshed?.Failure);
        Assert.Contains(refreshed!.Entry.Grant.AccessToken!.Reveal(), server.Issued.All);
        Assert.Empty(server.Issued.FoundIn(daemon.LogText));
    }
}
