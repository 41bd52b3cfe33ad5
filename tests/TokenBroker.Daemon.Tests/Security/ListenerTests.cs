using System.Globalization;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Security;

/// <summary>
/// What the real daemon, with the unit's environment, listens on as the kernel reports it
/// (<c>ss -ltnpx</c>): loopback and its own unix sockets only. Without the unit's
/// <c>DOTNET_EnableDiagnostics_IPC=0</c>, .NET's diagnostic socket in /tmp is one more.
/// </summary>
public sealed class ListenerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_listener_of_the_daemon_is_on_loopback_or_one_of_its_own_unix_sockets()
    {
        using var run = new DaemonRun();
        var ports = FreePorts.Take(2);
        run.WriteConfig(new
        {
            Postfix = new { Port = ports[0] },
            Metrics = new { Enabled = true, Port = ports[1] },
        });
        // The environment the unit gives the daemon (it turns off .NET's diagnostic socket).
        var unit = File.ReadAllLines(Path.Combine(BuiltPrograms.Repository, "systemd", "tokenbroker.service"));
        var environment = unit.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
            .Select(l => l["Environment=".Length..].Split('=', 2))
            .ToDictionary(kv => kv[0], kv => (string?)kv[1], StringComparer.Ordinal);
        using var daemon = await run.StartReadyAsync(environment: environment);

        var ss = await Command.RunAsync("ss", ["-H", "-l", "-t", "-n", "-x", "-p"]);
        var mine = ss.Stdout.Split('\n').Where(l => l.Contains($"pid={daemon.Id.ToString(CultureInfo.InvariantCulture)},", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        daemon.Terminate();
        await daemon.WaitForExitAsync();

        Assert.True(ss.ExitCode == 0, ss.ToString());
        var tcp = mine.Where(f => f[0] == "tcp").Select(f => f[4]).ToList();
        var unix = mine.Where(f => f[0] == "u_str").Select(f => f[4]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, tcp.Count);
        Assert.All(tcp, local => Assert.True(local.StartsWith("127.0.0.1:", StringComparison.Ordinal) || local.StartsWith("[::1]:", StringComparison.Ordinal), local));
        Assert.Contains($"127.0.0.1:{ports[0]}", tcp);
        Assert.Contains($"127.0.0.1:{ports[1]}", tcp);
        Assert.Equal([Path.Combine(run.Layout.Directory, "admin.sock"), Path.Combine(run.Layout.Directory, "postfix.sock")], unix);
        ReliabilityReport.Write(output, "listeners (ss -ltnpx)", $"{tcp.Count} TCP and {unix.Count} unix listeners of the daemon with the unit's environment", "all on 127.0.0.1 or the daemon's own sockets");
    }
}
