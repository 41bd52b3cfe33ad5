using System.Diagnostics;
using System.Text.Json.Nodes;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Storage;
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
        await SeedAsync(layout, tokenFile);
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

    /// <summary>One account with a token valid for hours, and its token file.</summary>
    private static async Task SeedAsync(StateLayout layout, string tokenFile)
    {
        PrivateFiles.EnsureDirectory(layout.Directory);
        Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        using var key = MasterKeySource.Resolve(null, null, layout).LoadOrCreate(out _);
        using var store = LiteDbGrantStore.Open(layout, key);
        var now = TimeProvider.System.GetUtcNow();
        var account = new Account
        {
            Name = AccountName.Parse("bench"),
            Provider = new ProviderProfile { Kind = ProviderKind.Generic, AuthorizationEndpoint = new Uri("http://127.0.0.1:9/authorize"), TokenEndpoint = new Uri("http://127.0.0.1:9/token") },
            Username = "bench@example.test",
            ClientId = "bench",
            TokenFile = new TokenFileSettings { Path = tokenFile },
        };
        await store.SaveAccountAsync(account, CancellationToken.None);
        await store.UpdateGrantAsync(account.Name, _ => new Grant
        {
            State = GrantState.Active,
            RefreshToken = Secret.FromText("bench-refresh-token"),
            AccessToken = Secret.FromText("ya29." + new string('x', 2000)),
            IssuedAt = now,
            LastRefresh = now,
            ExpiresAt = now.AddHours(10),
        }, CancellationToken.None);
    }
}
