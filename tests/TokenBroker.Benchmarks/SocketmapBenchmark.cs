using System.Globalization;
using System.Text.Json.Nodes;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Benchmarks;

/// <summary>One load level against one server.</summary>
internal sealed record LoadFigures(int Connections, double LookupsPerSecond, int P50Microseconds, int P99Microseconds, int MaxMicroseconds, long Errors);

/// <summary>
/// Drives the daemon's socketmap the way Postfix does, with the load generator of
/// <c>../shared/bench</c> (smload), beside its floor server (smref) measured in the same run.
/// </summary>
internal static class SocketmapBenchmark
{
    private const string Query = "sasl [smtp.gmail.com]:587";

    public static async Task<(IReadOnlyList<LoadFigures> Floor, IReadOnlyList<LoadFigures> Broker, double PeakRssMiB)> RunAsync(int accounts, int seconds, int[] connections)
    {
        using var directory = new TempDirectory();
        var (smload, smref) = await BuildToolsAsync(directory);
        var floorSocket = directory.Combine("ref.sock");
        using var floor = System.Diagnostics.Process.Start(smref, [$"unix:{floorSocket}"]);
        var (daemon, socket) = await StartDaemonAsync(directory, accounts, new JsonObject());
        using (daemon)
        {
            await LoadAsync(smload, socket, 4, 2); // JIT warm-up, not reported
            var floorFigures = new List<LoadFigures>();
            var brokerFigures = new List<LoadFigures>();
            foreach (var count in connections)
            {
                floorFigures.Add(await LoadAsync(smload, floorSocket, count, seconds));
                brokerFigures.Add(await LoadAsync(smload, socket, count, seconds));
            }

            var peak = ProcessFigures.PeakRssMiB(daemon.Id);
            floor.Kill();
            daemon.Terminate();
            await daemon.WaitForExitAsync(TimeSpan.FromMinutes(1));
            return (floorFigures, brokerFigures, peak);
        }
    }

    /// <summary>
    /// Starts the daemon with the unit's environment on <paramref name="accounts"/> accounts whose tokens
    /// stay valid for hours (the first claims the Gmail next-hop), with extra <paramref name="postfix"/> settings.
    /// </summary>
    public static async Task<(ChildProcess Daemon, string Socket)> StartDaemonAsync(TempDirectory directory, int accounts, JsonObject postfix)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(postfix);
        var layout = new StateLayout(directory.Combine("state"));
        await BenchStore.SeedAsync(layout, Enumerable.Range(0, accounts).Select(i => new Account
        {
            Name = AccountName.Parse($"bench{i:D5}"),
            Provider = BenchStore.Offline,
            Username = $"bench{i:D5}@example.test",
            MatchKeys = i == 0 ? ["[smtp.gmail.com]:587"] : [],
            ClientId = "bench",
        }), BenchStore.Fresh());
        var config = directory.Combine("tokenbroker.json");
        var socket = directory.Combine("postfix.sock");
        postfix["Socket"] = socket;
        File.WriteAllText(config, new JsonObject
        {
            ["TokenBroker"] = new JsonObject
            {
                ["StateDirectory"] = layout.Directory,
                ["AdminSocket"] = directory.Combine("admin.sock"),
                ["Postfix"] = postfix,
            },
        }.ToJsonString());
        var daemon = ChildProcess.Start(BuiltPrograms.Daemon, ["--config", config], directory.Path, RefreshBenchmark.UnitEnvironment());
        await daemon.WaitForLineAsync("tokenbrokerd ready", TimeSpan.FromMinutes(2));
        return (daemon, socket);
    }

    /// <summary>Where smload.c and smref.c are: <c>$SOCKETMAP_BENCH_TOOLS</c>, else <c>../shared/bench</c> beside the repository.</summary>
    private static string ToolSource() =>
        Environment.GetEnvironmentVariable("SOCKETMAP_BENCH_TOOLS")
        ?? Path.GetFullPath(Path.Combine(BuiltPrograms.Repository, "..", "shared", "bench"));

    public static async Task<(string Load, string Floor)> BuildToolsAsync(TempDirectory directory)
    {
        var source = ToolSource();
        var (load, floor) = (directory.Combine("smload"), directory.Combine("smref"));
        foreach (var (output, file, extra) in new[] { (load, "smload.c", "-pthread"), (floor, "smref.c", "-O2") })
        {
            var built = await Command.RunAsync("gcc", ["-O2", extra, "-o", output, Path.Combine(source, file)]);
            if (built.ExitCode != 0)
            {
                throw new InvalidOperationException($"cannot build {file} from {source} (set SOCKETMAP_BENCH_TOOLS): {built}");
            }
        }

        return (load, floor);
    }

    public static async Task<LoadFigures> LoadAsync(string smload, string socket, int connections, int seconds)
    {
        var run = await Command.RunAsync(smload, [$"unix:{socket}", connections.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture), Query, "OK"]);
        var fields = run.Stdout.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1]);
        if (run.ExitCode != 0 || !fields.TryGetValue("lookups_per_s", out var rate))
        {
            throw new InvalidOperationException($"smload failed: {run}");
        }

        int Int(string key) => int.Parse(fields[key], CultureInfo.InvariantCulture);
        return new LoadFigures(connections, double.Parse(rate, CultureInfo.InvariantCulture), Int("p50_us"), Int("p99_us"), Int("max_us"), long.Parse(fields["errors"], CultureInfo.InvariantCulture));
    }
}
