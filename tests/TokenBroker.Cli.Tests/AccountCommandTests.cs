using System.Text.Json;
using System.Text.RegularExpressions;
using TokenBroker.Core.Admin;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary><c>account add|list|show|remove</c>, <c>status</c> and <c>refresh</c> against a real daemon over its admin socket.</summary>
public sealed class AccountCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new();
    private readonly List<ChildProcess> _ran = [];
    private BrokerScenario _broker = null!;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync()
    {
        _ran.ForEach(cli => cli.Dispose());
        await _broker.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task An_added_account_is_listed_shown_consented_and_then_active_in_status()
    {
        var secretFile = _files.Combine("client.secret");
        File.WriteAllText(secretFile, AuthServer.ConfidentialSecret + "\n");

        var added = await RunAsync(
            "account", "add", "mail", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.ConfidentialClient,
            "--client-secret-file", secretFile, "--issuer", _broker.Server.BaseUri.AbsoluteUri, "--scope", "mail", "--scope", "offline_access",
            "--match", "[smtp.example.test]:587");

        Assert.Equal($"added account mail (generic, {AuthServer.User}); give it a grant with: tokenbroker consent mail", Assert.Single(added.Stdout));
        var listed = await RunAsync("account", "list");
        Assert.Equal(["ACCOUNT  PROVIDER  USERNAME            STATE", $"mail     generic   {AuthServer.User}  needs_consent", $"work     generic   {AuthServer.User}  needs_consent"], listed.Stdout);
        var shown = string.Join('\n', (await RunAsync("account", "show", "mail")).Stdout);
        Assert.Contains($"issuer:         {_broker.Server.BaseUri.AbsoluteUri}", shown, StringComparison.Ordinal);
        Assert.Contains("client secret:  stored (sealed)", shown, StringComparison.Ordinal);
        Assert.Contains($"postfix keys:   {AuthServer.User} [smtp.example.test]:587", shown, StringComparison.Ordinal);

        await _broker.ConsentAsync("mail");

        var report = JsonSerializer.Deserialize(Assert.Single((await RunAsync("status", "--json")).Stdout), AdminJson.Default.StatusReport)!;
        var mail = report.Accounts.Single(a => a.Name == "mail");
        Assert.Equal("active", mail.State);
        Assert.True(mail.ExpiresAt > report.Now && mail.NextRefresh > report.Now && mail.NextRefresh < mail.ExpiresAt, $"{mail}");
        Assert.Equal("needs_consent", report.Accounts.Single(a => a.Name == "work").State);
        var table = (await RunAsync("status")).Stdout.ToList();
        Assert.StartsWith("ACCOUNT  PROVIDER  STATE          TOKEN EXPIRES  NEXT REFRESH", table[0], StringComparison.Ordinal);
        // BY: the node that took the consent, the host name by default.
        Assert.Matches($@"^mail +generic +active +in (59m|1h 0m) +in \d+m +\d+s ago +{Regex.Escape(Environment.MachineName)} +-$", table[1]);
        Assert.Empty(_broker.Server.Issued.FoundIn(_broker.Daemon.Output + shown + string.Join('\n', table)));
        Assert.DoesNotContain(AuthServer.ConfidentialSecret, _broker.Daemon.Output + shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--username is required", "--provider", "google", "--client-id", "id")]
    [InlineData("Argument 'yahoo' not recognized. Must be one of: 'google' 'microsoft' 'generic'", "--provider", "yahoo", "--username", "u@example.test", "--client-id", "id")]
    [InlineData("a generic provider needs --issuer URL", "--provider", "generic", "--username", "u@example.test", "--client-id", "id")]
    [InlineData("google has fixed endpoints", "--provider", "google", "--username", "u@example.test", "--client-id", "id", "--issuer", "https://accounts.example.test/")]
    [InlineData("must be an https URL", "--provider", "generic", "--username", "u@example.test", "--client-id", "id", "--issuer", "http://idp.example.test/")]
    [InlineData("contains ':'", "--provider", "google", "--username", "u:x@example.test", "--client-id", "id")]
    [InlineData("is outside the allowed directories", "--provider", "google", "--username", "u@example.test", "--client-id", "id", "--token-file", "/etc/passwd")]
    [InlineData("is not an octal mode", "--provider", "google", "--username", "u@example.test", "--client-id", "id", "--token-file", "/tmp/x.token", "--token-file-mode", "rw-r--r--")]
    [InlineData("others must not write it", "--provider", "google", "--username", "u@example.test", "--client-id", "id", "--token-file", "/tmp/x.token", "--token-file-mode", "0666")]
    public async Task Settings_that_cannot_work_are_refused_with_one_line_and_exit_64_and_nothing_is_added(string reason, params string[] options)
    {
        using var cli = _broker.Cli(["account", "add", "bad", .. options]);

        Assert.Equal(64, await cli.WaitForExitAsync());
        Assert.Contains(reason, Assert.Single(cli.Stderr), StringComparison.Ordinal);
        Assert.Empty(cli.Stdout);
        Assert.DoesNotContain((await RunAsync("account", "list")).Stdout, line => line.StartsWith("bad", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_microsoft_account_with_a_client_secret_is_refused_naming_the_public_client_it_needs()
    {
        var secretFile = _files.Combine("client.secret");
        File.WriteAllText(secretFile, "s3cret");

        using var cli = _broker.Cli("account", "add", "m365", "--provider", "microsoft", "--username", "u@example.test", "--client-id", "id", "--client-secret-file", secretFile);

        Assert.Equal(64, await cli.WaitForExitAsync());
        Assert.Contains("public client", Assert.Single(cli.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_an_account_that_exists_is_refused_and_keeps_the_account()
    {
        using var cli = _broker.Cli("account", "add", "work", "--provider", "google", "--username", "other@example.test", "--client-id", "id");

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Contains("tokenbroker account remove work", Assert.Single(cli.Stderr), StringComparison.Ordinal);
        Assert.Contains($"username:       {AuthServer.User}", (await RunAsync("account", "show", "work")).Stdout);
    }

    [Fact]
    public async Task Remove_revokes_the_grant_at_the_provider_and_the_account_is_gone()
    {
        await _broker.ConsentAsync();
        var activeBefore = await ActiveAsync();

        var removed = await RunAsync("account", "remove", "work");

        Assert.Equal("removed account work; the provider revoked its grant", Assert.Single(removed.Stdout));
        Assert.NotEmpty(activeBefore.Except(await ActiveAsync()));
        using var token = _broker.Cli("token", "work");
        Assert.Equal(69, await token.WaitForExitAsync());
        Assert.StartsWith("no accounts; add one with: tokenbroker account add NAME", Assert.Single((await RunAsync("status")).Stdout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_says_so_when_the_provider_cannot_revoke_and_removes_the_account_all_the_same()
    {
        await RunAsync(
            "account", "add", "plain", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.PublicClient,
            "--authorize-url", _broker.Server.AuthorizationEndpoint.AbsoluteUri, "--token-url", _broker.Server.TokenEndpoint.AbsoluteUri, "--scope", "mail", "--scope", "offline_access");
        await _broker.ConsentAsync("plain");

        var removed = await RunAsync("account", "remove", "plain");

        Assert.Contains("did not revoke its grant (revocation_unsupported: the provider offers no revocation endpoint)", Assert.Single(removed.Stdout), StringComparison.Ordinal);
        using var show = _broker.Cli("account", "show", "plain");
        Assert.Equal(69, await show.WaitForExitAsync());
    }

    [Fact]
    public async Task Refresh_gets_a_new_token_now_and_refresh_all_exits_with_the_worst_outcome()
    {
        await _broker.ConsentAsync();
        var before = Assert.Single((await RunAsync("token", "work")).Stdout);

        var refreshed = await RunAsync("refresh", "work");

        Assert.Matches("^work: refreshed; token expires in (59m|1h 0m), next refresh in \\d+m$", Assert.Single(refreshed.Stdout));
        Assert.NotEqual(before, Assert.Single((await RunAsync("token", "work")).Stdout));
        await RunAsync("account", "add", "later", "--provider", "generic", "--username", AuthServer.User, "--client-id", AuthServer.PublicClient, "--issuer", _broker.Server.BaseUri.AbsoluteUri);
        using var all = _broker.Cli("refresh", "--all");
        Assert.Equal(69, await all.WaitForExitAsync());
        Assert.Contains("tokenbroker consent later", Assert.Single(all.Stderr), StringComparison.Ordinal);
        Assert.StartsWith("work: refreshed", Assert.Single(all.Stdout), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("refresh")]
    [InlineData("refresh", "work", "--all")]
    public async Task Refresh_needs_exactly_one_of_a_name_and_all(params string[] arguments)
    {
        using var cli = _broker.Cli(arguments);

        Assert.Equal(64, await cli.WaitForExitAsync());
    }

    /// <summary>Runs the CLI, which must succeed, and returns it (ended) for its output.</summary>
    private async Task<ChildProcess> RunAsync(params string[] arguments)
    {
        var cli = _broker.Cli(arguments);
        _ran.Add(cli);
        var code = await cli.WaitForExitAsync();
        Assert.True(code == 0, $"tokenbroker {string.Join(' ', arguments)} exited {code}:\n{cli.Output}");
        return cli;
    }

    /// <summary>The values the test server issued that it still calls active.</summary>
    private async Task<List<string>> ActiveAsync()
    {
        var active = new List<string>();
        foreach (var value in _broker.Server.Issued.All.ToList())
        {
            using var answer = await _broker.Server.IntrospectAsync(value);
            if (answer.RootElement.GetProperty("active").GetBoolean())
            {
                active.Add(value);
            }
        }

        return active;
    }
}
