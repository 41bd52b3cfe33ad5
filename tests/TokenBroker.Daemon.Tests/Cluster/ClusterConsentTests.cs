using System.Net;
using TokenBroker.Core.Grants;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Cluster;

/// <summary>Consent on a cluster: begun on one node, the browser may come back to another; each callback works once across all.</summary>
public sealed class ClusterConsentTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private AuthServer? _server;
    private ClusterLab? _lab;

    private ClusterLab Lab => _lab!;

    public async Task InitializeAsync()
    {
        _server = await AuthServer.StartAsync();
        _lab = await ClusterLab.CreateAsync(_server, await postgres.Server.CreateDatabaseAsync());
        await Lab.StartNodeAsync("relay1");
        await Lab.StartNodeAsync("relay2");
    }

    public async Task DisposeAsync()
    {
        await Lab.DisposeAsync();
        await _server!.DisposeAsync();
    }

    [Fact]
    public async Task A_consent_begun_on_one_node_finishes_on_the_node_the_browser_returns_to_and_only_once()
    {
        var account = await Lab.AddAccountAsync(0);
        var (cli, callback) = await Lab.BeginConsentAsync("relay1", account);
        using var _ = cli;
        var atSecondNode = new UriBuilder(callback) { Port = Lab.Callback("relay2").Port }.Uri;
        using var browser = new HttpClient();

        using var finished = await browser.GetAsync(atSecondNode);
        using var replayedThere = await browser.GetAsync(atSecondNode);
        using var replayedAtFirst = await browser.GetAsync(callback);

        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Contains("Consent stored", await finished.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Equal(HttpStatusCode.BadRequest, replayedThere.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replayedAtFirst.StatusCode);
        var stored = await Lab.Store.FindAsync(account.Name, CancellationToken.None);
        Assert.Equal(GrantState.Active, stored!.Grant.State);
        Assert.Equal("relay2", stored.Grant.RefreshedBy);
        Assert.Contains($"Consent for account {account.Name} was started on relay1; the browser came back here", Lab.Node("relay2").Output, StringComparison.Ordinal);
        var (ok, token) = await Lab.AskAsync("relay1", 0);
        Assert.True(ok, token);
        Assert.Equal(stored.Grant.AccessToken!.Reveal(), token);
        var status = await Lab.CliAsync("relay1", "status");
        Assert.Matches(@"account0\s+generic\s+active\s.*\srelay2\s", status.Stdout);
    }

    [Fact]
    public async Task A_forged_state_is_refused_on_every_node_and_the_pending_consent_still_finishes()
    {
        var account = await Lab.AddAccountAsync(1);
        var (cli, callback) = await Lab.BeginConsentAsync("relay2", account);
        using var _ = cli;
        var forged = new UriBuilder(callback) { Query = callback.Query.Replace("state=", "state=x", StringComparison.Ordinal).TrimStart('?') }.Uri;
        using var browser = new HttpClient();

        using var atFirst = await browser.GetAsync(new UriBuilder(forged) { Port = Lab.Callback("relay1").Port }.Uri);
        using var atSecond = await browser.GetAsync(forged);
        using var genuine = await browser.GetAsync(new UriBuilder(callback) { Port = Lab.Callback("relay1").Port }.Uri);

        Assert.Equal(HttpStatusCode.BadRequest, atFirst.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, atSecond.StatusCode);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Equal("relay1", (await Lab.Store.FindAsync(account.Name, CancellationToken.None))!.Grant.RefreshedBy);
    }
}
