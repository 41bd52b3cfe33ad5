using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Postfix;

/// <summary>Postfix's own socketmap client (<c>postmap -q</c>) asking the daemon, as smtp(8) would.</summary>
public sealed class PostmapTests : DaemonWithServer
{
    [Fact]
    public async Task Postfix_reads_user_and_token_for_a_claimed_key_and_nothing_for_another()
    {
        var entry = await Daemon.ConsentAsync(Server, matchKeys: ["[smtp.example.test]:587"]);

        var found = await PostmapAsync("[SMTP.example.test]:587");
        var missing = await PostmapAsync("smtp.other.test");

        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Equal($"{AuthServer.User}:{entry.Grant.AccessToken!.Reveal()}\n", found.Stdout);
        Assert.Equal(1, missing.ExitCode);
        Assert.Empty(missing.Stdout);
    }

    [Fact]
    public async Task Postfix_sees_a_temporary_failure_for_an_account_without_a_token()
    {
        await Daemon.AddAccountAsync(Server);

        var result = await PostmapAsync(AuthServer.User);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(result.Stdout);
        Assert.Contains("temporary", result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("needs consent", result.Stderr, StringComparison.Ordinal);
    }

    private Task<CommandResult> PostmapAsync(string key) =>
        Command.RunAsync("/usr/sbin/postmap", ["-q", key, $"socketmap:unix:{Daemon.PostfixSocket}:sasl"]);
}
