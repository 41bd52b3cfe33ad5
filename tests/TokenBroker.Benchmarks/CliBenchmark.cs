using System.Diagnostics;
using System.Text.Json.Nodes;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Benchmarks;

/// <summary>
/// One <c>tokenbroker token NAME</c> invocation of the NativeAOT CLI, end to end (process start to
/// exit, the token read from the real daemon), beside <c>cat</c> of the account's token file.
/// </summary>
internal static class CliBenchmark
{
    public static async Task<(TimeSpan CliMedian, TimeSpan CliP90, TimeSpan CatMedian, TimeSpan CatP90, long Bytes)> RunAsync(int invocations)
    {
        using var directory = new TempDirectory();
        var cli = await PublishAsync(directory.Combine("aot"));
        var layout = new StateLayout(directory.Combine("state"));
        var tokenFile = Path.Combine(layout.Directory, "tokens", "bench.token");
        Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        var account = new Account
        {
            Name = AccountName.Parse("bench"),
            Provider = BenchStore.Offline,
            Username = "bench@example.test",
            ClientId = "bench",
            TokenFile = new TokenFileSettings { Path = tokenFile },
        };
        await BenchStore.SeedAsync(layout, [account], BenchStore.Fresh());
        var config = directory.Combine("tokenbroker.json");
        var adminSocket = directory.Combine("admin.sock");
        File.WriteAllText(config, new JsonObject { ["TokenBroker"] = new JsonObject { ["StateDirectory"] = layout.Directory, ["AdminSocket"] = adminSocket } }.ToJsonString());
        using var daemon = ChildProcess.Start(BuiltPrograms.Daemon, ["--config", config], directory.Path, RefreshBenchmark.UnitEnvironment());
        await daemon.WaitForLineAsync("tokenbrokerd ready", TimeSpan.FromMinutes(2));

        var expected = File.ReadAllText(tokenFile);
        var cliTimes = await TimeAsync(cli, ["token", "bench", "--admin-socket", adminSocket], expected, invocations);
        var catTimes = await TimeAsync("cat", [tokenFile], expected, invocations);
        daemon.Terminate();
        await daemon.WaitForExitAsync(TimeSpan.FromMinutes(1));
        return (cliTimes[cliTimes.Length / 2], cliTimes[cliTimes.Length * 9 / 10], catTimes[catTimes.Length / 2], catTimes[catTimes.Length * 9 / 10], new FileInfo(cli).Length);
    }

    private static async Task<string> PublishAsync(string output)
    {
        var project = Path.Combine(BuiltPrograms.Repository, "src", "TokenBroker.Cli", "TokenBroker.Cli.csproj");
        var published = await Command.RunAsync("dotnet", ["publish", project, "-c", "Release", "-o", output], limit: TimeSpan.FromMinutes(10));
        return published.ExitCode == 0 ? Path.Combine(output, "tokenbroker") : throw new InvalidOperationException($"NativeAOT publish failed: {published}");
    }

    /// <summary>Each invocation's wall time, sorted; every one must print exactly <paramref name="expected"/>.</summary>
    private static async Task<TimeSpan[]> TimeAsync(string program, string[] arguments, string expected, int invocations)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < invocations + 5; i++)
        {
            var clock = Stopwatch.StartNew();
            var run = await Command.RunAsync(program, arguments);
            clock.Stop();
            if (run.ExitCode != 0 || run.Stdout != expected)
            {
                throw new InvalidOperationException($"{program} printed something else: {run.ExitCode}");
            }

            if (i >= 5)
            {
                times.Add(clock.Elapsed);
            }
        }

        return [.. times.Order()];
    }
}
