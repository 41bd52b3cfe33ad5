using System.Text.RegularExpressions;
using TokenBroker.Core.Grants;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

public sealed partial class ConsentCommandTests : IAsyncLifetime
{
    private BrokerScenario _broker = null!;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task No_browser_prints_the_url_first_then_the_ssh_forward_and_exits_0_once_the_grant_is_stored()
    {
        using var cli = _broker.Cli("consent", "work", "--no-browser");
        await cli.WaitForLineAsync("Waiting for the browser");
        var lines = cli.Stdout.ToList();
        var url = new Uri(lines[0]);
        var port = Port().Match(lines[1]).Groups[1].Value;

        var callback = await _broker.Server.FollowAuthorizationAsync(url);
        using var browser = new HttpClient();
        var page = await browser.GetStringAsync(callback);

        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.StartsWith(_broker.Server.AuthorizationEndpoint.AbsoluteUri, url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains($"ssh -L {port}:127.0.0.1:{port} ", lines[1], StringComparison.Ordinal);
        Assert.Equal(port, callback.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("Consent stored", page, StringComparison.Ordinal);
        Assert.Contains("holds a grant for account work", cli.Output, StringComparison.Ordinal);
        var entry = await _broker.StopAndReadAsync();
        Assert.Equal(GrantState.Active, entry.Grant.State);
        Assert.Empty(_broker.Server.Issued.FoundIn(cli.Output + _broker.Daemon.Output));
    }

    [Fact]
    public async Task Stopping_the_cli_while_it_waits_gives_one_line_and_exit_130()
    {
        using var cli = _broker.Cli("consent", "work", "--no-browser");
        await cli.WaitForLineAsync("Waiting for the browser");

        cli.Terminate();

        Assert.Equal(130, await cli.WaitForExitAsync());
        Assert.Equal("tokenbroker: interrupted", Assert.Single(cli.Stderr));
    }

    [Fact]
    public async Task With_a_display_the_url_goes_to_xdg_open()
    {
        var bin = Path.Combine(Path.GetDirectoryName(_broker.AdminSocket)!, "bin");
        Directory.CreateDirectory(bin);
        var opened = Path.Combine(bin, "opened.txt");
        var opener = Path.Combine(bin, "xdg-open");
        File.WriteAllText(opener, $"#!/bin/sh\nprintf '%s' \"$1\" > '{opened}'\n");
        File.SetUnixFileMode(opener, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var cli = _broker.Cli(new Dictionary<string, string?>
        {
            ["DISPLAY"] = ":99",
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
        }, "consent", "work");
        await cli.WaitForLineAsync("Waiting for the browser");

        var url = new Uri(File.ReadAllText(opened));
        using var browser = new HttpClient();
        await browser.GetStringAsync(await _broker.Server.FollowAuthorizationAsync(url));

        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Contains("Opened a browser for account work", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paste_takes_the_final_url_from_stdin()
    {
        using var cli = _broker.Cli("consent", "work", "--paste");
        var url = new Uri(await cli.WaitForLineAsync("http"));

        var callback = await _broker.Server.FollowAuthorizationAsync(url);
        await cli.WriteLineAsync(callback.AbsoluteUri);

        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Equal(GrantState.Active, (await _broker.StopAndReadAsync()).Grant.State);
        Assert.Empty(_broker.Server.Issued.FoundIn(cli.Output + _broker.Daemon.Output));
    }

    [Fact]
    public async Task A_pasted_url_with_a_forged_state_fails_and_stores_nothing()
    {
        using var cli = _broker.Cli("consent", "work", "--paste");
        var url = new Uri(await cli.WaitForLineAsync("http"));
        var callback = await _broker.Server.FollowAuthorizationAsync(url);

        await cli.WriteLineAsync(Regex.Replace(callback.AbsoluteUri, "state=[^&]+", "state=forged"));

        Assert.Equal(1, await cli.WaitForExitAsync());
        Assert.Contains("unknown, was already used, or has expired", cli.Stderr.Last(), StringComparison.Ordinal);
        Assert.Equal(GrantState.NeedsConsent, (await _broker.StopAndReadAsync()).Grant.State);
    }

    [Fact]
    public async Task Device_prints_where_to_enter_which_code_and_exits_0_once_approved()
    {
        using var cli = _broker.Cli("consent", "work", "--device");
        var instruction = await cli.WaitForLineAsync("enter the code");
        var code = UserCode().Match(instruction).Groups[1].Value;

        await _broker.Server.ApproveDeviceAsync(code);

        Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(_broker.Server.VerificationEndpoint.AbsoluteUri, instruction, StringComparison.Ordinal);
        Assert.Equal(GrantState.Active, (await _broker.StopAndReadAsync()).Grant.State);
    }

    [Fact]
    public async Task An_unknown_account_exits_69_with_one_line()
    {
        using var cli = _broker.Cli("consent", "nobody", "--no-browser");

        Assert.Equal(69, await cli.WaitForExitAsync());
        Assert.Contains("no account named nobody", Assert.Single(cli.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_daemon_that_is_not_running_exits_75_naming_the_socket()
    {
        using var cli = ChildProcess.Start(BuiltPrograms.Cli, ["consent", "work", "--admin-socket", "/nonexistent/admin.sock"], Path.GetTempPath());

        Assert.Equal(75, await cli.WaitForExitAsync());
        Assert.Contains("cannot reach tokenbrokerd at /nonexistent/admin.sock", Assert.Single(cli.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_modes_at_once_are_a_usage_error()
    {
        using var cli = _broker.Cli("consent", "work", "--paste", "--device");

        Assert.Equal(64, await cli.WaitForExitAsync());
    }

    [GeneratedRegex(@"ssh -L (\d+):")]
    private static partial Regex Port();

    [GeneratedRegex(@"enter the code (\S+)")]
    private static partial Regex UserCode();
}
