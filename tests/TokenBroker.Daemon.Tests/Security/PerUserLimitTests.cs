using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Security;

/// <summary>
/// A local user holding connections to the lookup service cannot take another user's share: each user
/// (by the kernel's <c>SO_PEERCRED</c>) has its own budget, and the TCP port's peers share one.
/// </summary>
public sealed class PerUserLimitTests(ITestOutputHelper output)
{
    private const string Limit = "2";

    [Fact]
    public async Task A_user_at_the_limit_is_refused_while_another_user_is_still_answered()
    {
        using var shared = new TempDirectory();
        File.SetUnixFileMode(shared.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        var socket = shared.Combine("postfix.sock");
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["TokenBroker:Postfix:Socket"] = socket,
            ["TokenBroker:Postfix:SocketMode"] = "0666",
            ["TokenBroker:Postfix:MaxConnectionsPerUser"] = Limit,
        });
        using var first = await SocketmapClient.ConnectAsync(socket);
        using var second = await SocketmapClient.ConnectAsync(socket);
        Assert.Equal("NOTFOUND ", await second.AskAsync("sasl", "held@example.test"));

        var overLimit = await PostmapAsync(socket);
        var otherUser = await PostmapAsync(socket, "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", "--");

        Assert.NotEqual(0, overLimit.ExitCode);
        Assert.NotEmpty(overLimit.Stderr);
        // postmap -q: exit 1 and nothing printed is Postfix's "not found", an answer from the daemon.
        Assert.Equal((1, "", ""), (otherUser.ExitCode, otherUser.Stdout, otherUser.Stderr));
        Assert.Contains("user 0 already hold 2 (TokenBroker:Postfix:MaxConnectionsPerUser)", daemon.LogText, StringComparison.Ordinal);
        Assert.Equal("NOTFOUND ", await first.AskAsync("sasl", "held@example.test"));
        ReliabilityReport.Write(output, "one local user holding its share of the lookup socket", "2 connections held at a per-user limit of 2, one more from that user, one from another",
            "the extra connection refused, the other user answered, the held ones still answered");
    }

    [Fact]
    public async Task Peers_on_the_TCP_port_share_one_budget_and_cannot_take_the_unix_sockets()
    {
        var port = FreePorts.Take(1)[0];
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["TokenBroker:Postfix:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TokenBroker:Postfix:MaxConnectionsPerUser"] = Limit,
        });
        using var first = await SocketmapClient.ConnectAsync(port);
        using var second = await SocketmapClient.ConnectAsync(port);
        Assert.Equal("NOTFOUND ", await second.AskAsync("sasl", "held@example.test"));

        using var third = await SocketmapClient.ConnectAsync(port);
        using var unix = await SocketmapClient.ConnectAsync(daemon.PostfixSocket);

        Assert.True(await third.IsClosedAsync());
        Assert.Equal("NOTFOUND ", await unix.AskAsync("sasl", "unix@example.test"));
        Assert.Contains("the TCP port's peers already hold 2", daemon.LogText, StringComparison.Ordinal);
    }

    private static Task<CommandResult> PostmapAsync(string socket, params string[] asUser) =>
        asUser.Length == 0
            ? Command.RunAsync("/usr/sbin/postmap", ["-q", "nobody@example.test", $"socketmap:unix:{socket}:sasl"])
            : Command.RunAsync("setpriv", [.. asUser, "/usr/sbin/postmap", "-q", "nobody@example.test", $"socketmap:unix:{socket}:sasl"]);
}
