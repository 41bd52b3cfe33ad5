using TokenBroker.Core.Accounts;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary><c>tokenbroker postfix-config</c>, checked with the real postconf(1) against a Postfix configuration directory.</summary>
public sealed class PostfixConfigCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _postfix = new();
    private BrokerScenario _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await BrokerScenario.StartAsync(
            Mailbox("gmail", ProviderKind.Google, "ops@example.test"),
            Mailbox("office", ProviderKind.Microsoft, "sales@example.test"));
        File.WriteAllText(_postfix.Combine("main.cf"), "compatibility_level = 3.6\n");
        File.Copy("/etc/postfix/master.cf", _postfix.Combine("master.cf"));
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _postfix.Dispose();
    }

    [Fact]
    public async Task One_account_gets_its_relay_host_and_lines_postconf_accepts_and_then_finds_in_place()
    {
        using var first = _broker.Cli("postfix-config", "gmail", "--postfix-dir", _postfix.Path);
        Assert.Equal(0, await first.WaitForExitAsync());
        var socket = Path.Combine(_broker.Layout.Directory, "postfix.sock");
        Assert.Contains($"smtp_sasl_password_maps = proxy:socketmap:unix:{socket}:sasl", first.Stdout);
        Assert.Contains("relayhost = [smtp.gmail.com]:587", first.Stdout);
        Assert.Contains("# account gmail (ops@example.test) answers: ops@example.test smtp.gmail.com [smtp.gmail.com] [smtp.gmail.com]:587 [smtp.gmail.com]:465", first.Stdout);
        Assert.DoesNotContain(first.Stdout, l => l.StartsWith("smtp_sender_dependent_authentication", StringComparison.Ordinal));
        Assert.Contains("postconf: relayhost is '' in this Postfix, not '[smtp.gmail.com]:587'", first.Stderr);

        File.AppendAllLines(_postfix.Combine("main.cf"), first.Stdout.Where(l => !l.StartsWith('#')));
        var check = await Command.RunAsync("/usr/sbin/postconf", ["-c", _postfix.Path, "-n"]);
        using var second = _broker.Cli("postfix-config", "gmail", "--postfix-dir", _postfix.Path);

        Assert.True(check.ExitCode == 0 && check.Stderr.Length == 0, check.ToString());
        Assert.Equal(0, await second.WaitForExitAsync());
        Assert.Equal(["postconf: this Postfix already has every setting above"], second.Stderr);
    }

    [Fact]
    public async Task Accounts_on_different_servers_get_sender_dependent_authentication_and_relay_hosts()
    {
        using var cli = _broker.Cli("postfix-config", "gmail", "office", "--postfix-dir", _postfix.Path);

        Assert.Equal(0, await cli.WaitForExitAsync());
        var socket = Path.Combine(_broker.Layout.Directory, "postfix.sock");
        Assert.Contains("smtp_sender_dependent_authentication = yes", cli.Stdout);
        Assert.Contains($"sender_dependent_relayhost_maps = proxy:socketmap:unix:{socket}:relay", cli.Stdout);
        Assert.DoesNotContain(cli.Stdout, l => l.StartsWith("relayhost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_account_exits_69_naming_it()
    {
        using var cli = _broker.Cli("postfix-config", "gmail", "nosuch");

        Assert.Equal(69, await cli.WaitForExitAsync());
        Assert.Empty(cli.Stdout);
        Assert.Contains("no account named nosuch", Assert.Single(cli.Stderr), StringComparison.Ordinal);
    }

    private static Account Mailbox(string name, ProviderKind kind, string username) => new()
    {
        Name = AccountName.Parse(name),
        Provider = new ProviderProfile { Kind = kind },
        Username = username,
        ClientId = "client",
    };
}
