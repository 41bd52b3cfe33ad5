using System.Text;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Cli.Tests;

public sealed class TokenCommandTests : IAsyncLifetime
{
    private BrokerScenario _broker = null!;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Token_prints_the_current_access_token_and_nothing_else()
    {
        await _broker.ConsentAsync();

        using var cli = _broker.Cli("token", "work");

        Assert.Equal(0, await cli.WaitForExitAsync());
        var token = Assert.Single(cli.Stdout);
        Assert.Contains(token, _broker.Server.Issued.All);
        Assert.Empty(cli.Stderr);
        Assert.Empty(_broker.Server.Issued.FoundIn(_broker.Daemon.Output));
    }

    [Fact]
    public async Task Xoauth2_and_oauthbearer_print_the_ready_sasl_initial_response()
    {
        await _broker.ConsentAsync();
        using var raw = _broker.Cli("token", "work");
        using var xoauth2 = _broker.Cli("token", "work", "--format", "xoauth2");
        using var oauthbearer = _broker.Cli("token", "work", "--format", "oauthbearer", "--host", "smtp.example.test", "--port", "587");

        var exitCodes = await Task.WhenAll(raw.WaitForExitAsync(), xoauth2.WaitForExitAsync(), oauthbearer.WaitForExitAsync());
        Assert.All(exitCodes, code => Assert.Equal(0, code));
        var token = Assert.Single(raw.Stdout);
        Assert.Equal($"user={AuthServer.User}\u0001auth=Bearer {token}\u0001\u0001", Decode(Assert.Single(xoauth2.Stdout)));
        Assert.Equal($"n,a={AuthServer.User},\u0001host=smtp.example.test\u0001port=587\u0001auth=Bearer {token}\u0001\u0001", Decode(Assert.Single(oauthbearer.Stdout)));
    }

    [Fact]
    public async Task An_account_that_needs_consent_exits_69_with_one_line_naming_the_fix()
    {
        using var cli = _broker.Cli("token", "work");

        Assert.Equal(69, await cli.WaitForExitAsync());
        Assert.Empty(cli.Stdout);
        Assert.Contains("tokenbroker consent work", Assert.Single(cli.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_account_exits_69_and_a_stopped_daemon_75()
    {
        using var unknown = _broker.Cli("token", "nobody");
        Assert.Equal(69, await unknown.WaitForExitAsync());
        Assert.Contains("no account named nobody", Assert.Single(unknown.Stderr), StringComparison.Ordinal);

        _broker.Daemon.Terminate();
        await _broker.Daemon.WaitForExitAsync();
        using var down = _broker.Cli("token", "work");
        Assert.Equal(75, await down.WaitForExitAsync());
        Assert.Contains("cannot reach tokenbrokerd", Assert.Single(down.Stderr), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("work", "--format", "plain")]
    [InlineData("not an account!")]
    public async Task An_unknown_format_or_a_malformed_name_is_a_usage_error(params string[] arguments)
    {
        using var cli = _broker.Cli(["token", .. arguments]);

        Assert.Equal(64, await cli.WaitForExitAsync());
        Assert.Empty(cli.Stdout);
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}
