using System.Text.Json;
using TokenBroker.Core.Admin;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary><c>tokenbroker doctor</c> against a real daemon: every problem named with its fix.</summary>
public sealed class DoctorCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _plugins = new();
    private BrokerScenario _broker = null!;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _plugins.Dispose();
    }

    [Fact]
    public async Task Doctor_names_each_problem_with_its_fix_and_exits_1()
    {
        var store = _broker.Layout.StoreFile;
        File.SetUnixFileMode(store, (UnixFileMode)0b110_100_100);

        using var cli = _broker.Cli(new Dictionary<string, string?> { ["SASL_PATH"] = _plugins.Path }, "doctor");

        Assert.Equal(1, await cli.WaitForExitAsync());
        var lines = cli.Stdout.ToList();
        Assert.Equal($"[ ok ] daemon: answers on {_broker.AdminSocket}", lines[0]);
        Assert.Contains($"[FAIL] store file: {store} is mode 0644: others can reach it; fix: chmod 600 {store}", lines);
        Assert.Contains("[FAIL] account work: needs consent; fix: tokenbroker consent work", lines);
        Assert.Contains(lines, l => l.StartsWith("[FAIL] postfix can reach: user postfix cannot pass directory ", StringComparison.Ordinal) && l.Contains("fix: set TokenBroker:Postfix:SocketGroup to postfix", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("[ ok ] clock: within 30 s of 127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"[warn] sasl plugin: libtokenbroker-oauth2.so is not in {_plugins.Path}", StringComparison.Ordinal));
        Assert.Empty(cli.Stderr);
    }

    [Fact]
    public async Task A_consented_account_and_a_built_plugin_are_found_well()
    {
        await _broker.ConsentAsync();
        var built = await Command.RunAsync("make", ["-s", "-C", Path.Combine(BuiltPrograms.Repository, "contrib", "sasl-xoauth2"), $"O={_plugins.Path}", "all"]);
        Assert.True(built.ExitCode == 0, built.ToString());

        using var cli = _broker.Cli(new Dictionary<string, string?> { ["SASL_PATH"] = _plugins.Path }, "doctor", "--json");
        await cli.WaitForExitAsync();

        var findings = JsonSerializer.Deserialize(Assert.Single(cli.Stdout), AdminJson.Default.DoctorReport)!.Findings;
        Assert.Equal(Finding.Ok, findings.Single(f => f.Check == "account work").Status);
        Assert.Equal(new Finding("sasl plugin", Finding.Ok, $"{_plugins.Combine("libtokenbroker-oauth2.so")} loads"), findings.Single(f => f.Check == "sasl plugin"));
        Assert.Equal(Finding.Ok, findings.Single(f => f.Check == "store file").Status);
    }

    [Fact]
    public async Task A_lookup_socket_gone_from_under_the_daemon_is_named_and_the_rest_still_checked()
    {
        File.Delete(Path.Combine(_broker.Layout.Directory, "postfix.sock"));

        using var cli = _broker.Cli("doctor");

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Contains(cli.Stdout, l => l.StartsWith("[FAIL] postfix socket: ", StringComparison.Ordinal) && l.EndsWith("does not exist; fix: restart tokenbrokerd", StringComparison.Ordinal));
        Assert.StartsWith("[ ok ] daemon: answers on", cli.Stdout.First(), StringComparison.Ordinal);
        Assert.Contains(cli.Stdout, l => l.StartsWith("[FAIL] account work: needs consent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_daemon_that_does_not_answer_is_a_failure_with_what_to_do()
    {
        _broker.Daemon.Terminate();
        await _broker.Daemon.WaitForExitAsync();

        using var cli = _broker.Cli("doctor");

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.StartsWith("[FAIL] daemon: cannot reach tokenbrokerd", cli.Stdout.First(), StringComparison.Ordinal);
        Assert.Contains("fix: start it (systemctl start tokenbroker)", cli.Stdout.First(), StringComparison.Ordinal);
    }
}
