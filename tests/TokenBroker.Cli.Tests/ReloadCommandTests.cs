using System.Text.Json.Nodes;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary><c>tokenbroker reload</c> and SIGHUP against a real daemon whose configuration file changes.</summary>
public sealed class ReloadCommandTests : IAsyncLifetime
{
    private BrokerScenario _broker = null!;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Reload_applies_declared_accounts_keeps_tokens_and_names_what_waits_for_a_restart()
    {
        await _broker.ConsentAsync();
        var token = await _broker.RunAsync("token", "work");
        Change(section =>
        {
            section["Accounts"] = Declared();
            section["Consent"] = new JsonObject { ["Port"] = FreePorts.Take(1)[0] };
        });

        var reloaded = await _broker.RunAsync("reload");

        Assert.Equal(
            "configuration reloaded; 1 declared account(s) applied\nchanged, applied at the next start (systemctl restart tokenbroker): TokenBroker:Consent",
            reloaded);
        Assert.Contains("declared", await _broker.RunAsync("account", "list"), StringComparison.Ordinal);
        Assert.Equal(token, await _broker.RunAsync("token", "work"));
        Assert.Equal(reloaded, await _broker.RunAsync("reload"));
    }

    [Fact]
    public async Task A_notify_command_added_by_a_reload_runs_when_an_account_comes_to_need_consent()
    {
        await _broker.ConsentAsync();
        var notified = Path.Combine(Path.GetDirectoryName(_broker.ConfigFile)!, "notified");
        Change(section => section["Refresh"] = new JsonObject { ["NotifyCommand"] = new JsonArray("/bin/sh", "-c", $"printf %s \"$TOKENBROKER_ACCOUNT\" > {notified}") });
        await _broker.RunAsync("reload");

        await _broker.Server.RevokeUserAsync();
        using var refresh = _broker.Cli("refresh", "work");

        Assert.Equal(69, await refresh.WaitForExitAsync());
        for (var waited = 0; !File.Exists(notified) && waited < 100; waited++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }

        Assert.Equal("work", File.ReadAllText(notified));
    }

    [Fact]
    public async Task A_configuration_with_a_problem_is_refused_and_the_running_one_kept()
    {
        Change(section =>
        {
            section["Refresh"] = new JsonObject { ["Concurency"] = 8 };
            section["Accounts"] = Declared();
        });

        using var cli = _broker.Cli("reload");

        Assert.Equal(1, await cli.WaitForExitAsync());
        var message = Assert.Single(cli.Stderr);
        Assert.Contains("TokenBroker:Refresh:Concurency is not a setting", message, StringComparison.Ordinal);
        Assert.EndsWith("the running configuration stays", message, StringComparison.Ordinal);
        Assert.DoesNotContain("declared", await _broker.RunAsync("account", "list"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sighup_reloads_instead_of_stopping_the_daemon(bool underNohup)
    {
        if (underNohup)
        {
            // As sshd and nginx do: a daemon started with SIGHUP ignored still reloads on it.
            _broker.Daemon.Terminate();
            await _broker.Daemon.WaitForExitAsync();
            await _broker.StartDaemonAsync(underNohup);
            await _broker.Daemon.WaitForLineAsync("SIGHUP was ignored when the daemon started (nohup?)");
        }

        Change(section => section["Accounts"] = Declared());

        var hangup = await Command.RunAsync("kill", ["-HUP", _broker.Daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await _broker.Daemon.WaitForLineAsync("Configuration reloaded: 1 declared account(s) applied");

        Assert.Equal(0, hangup.ExitCode);
        Assert.Contains("declared", await _broker.RunAsync("account", "list"), StringComparison.Ordinal);
    }

    private JsonObject Declared() => new()
    {
        ["declared"] = new JsonObject
        {
            ["Provider"] = "generic",
            ["Username"] = AuthServer.User,
            ["ClientId"] = AuthServer.PublicClient,
            ["Issuer"] = _broker.Server.BaseUri.AbsoluteUri,
        },
    };

    /// <summary>Rewrites the daemon's configuration file with a change to its <c>TokenBroker</c> section.</summary>
    private void Change(Action<JsonObject> change)
    {
        var config = JsonNode.Parse(File.ReadAllText(_broker.ConfigFile))!.AsObject();
        change(config["TokenBroker"]!.AsObject());
        File.WriteAllText(_broker.ConfigFile, config.ToJsonString());
    }
}
