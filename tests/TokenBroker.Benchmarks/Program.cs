using System.Globalization;
using TokenBroker.Benchmarks;

// Refresh benchmark: every account's token has expired when the daemon starts.
//   dotnet run -c Release --project tests/TokenBroker.Benchmarks -- [ACCOUNTS] [openiddict|instant|scheduler]...
// Socketmap benchmark: lookups the way Postfix makes them, beside the floor server of ../shared/bench.
//   dotnet run -c Release --project tests/TokenBroker.Benchmarks -- socketmap [SECONDS]
// Latency under attack: one Postfix-style connection, alone and beside 5,000 idle, slow and hostile ones.
//   dotnet run -c Release --project tests/TokenBroker.Benchmarks -- attack [SECONDS]
// CLI benchmark: one `tokenbroker token NAME` (NativeAOT) beside `cat` of the token file.
//   dotnet run -c Release --project tests/TokenBroker.Benchmarks -- cli [INVOCATIONS]
if (args is ["cli", ..])
{
    var invocations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
    Console.WriteLine($"tokenbroker token benchmark: {invocations} invocations each (after 5 not counted), {Environment.ProcessorCount} cores; the daemon runs beside it");
    var (cliMedian, cliP90, catMedian, catP90, bytes) = await CliBenchmark.RunAsync(invocations);
    Console.WriteLine(Row("tokenbroker token (NativeAOT)", $"{cliMedian.TotalMilliseconds:F1} ms", $"median; p90 {cliP90.TotalMilliseconds:F1} ms; target <= 15 ms; binary {bytes / 1048576.0:F1} MiB"));
    Console.WriteLine(Row("cat of the token file", $"{catMedian.TotalMilliseconds:F1} ms", $"median; p90 {catP90.TotalMilliseconds:F1} ms (the reference)"));
    return;
}

if (args is ["attack", ..])
{
    var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
    Console.WriteLine($"tokenbrokerd socketmap latency under attack: {seconds} s each, {Environment.ProcessorCount} cores, attackers and daemon on the same machine");
    var (quiet, attacked, counts) = await AttackBenchmark.RunAsync(seconds);
    Console.WriteLine($"  {"lookups on 1 connection",-34}{"lookups/s",10}{"p50 µs",9}{"p99 µs",9}{"max µs",9}{"errors",8}");
    foreach (var (name, f) in new[] { ("alone (the reference)", quiet), ("under attack", attacked) })
    {
        Console.WriteLine($"  {name,-34}{f.LookupsPerSecond,10:F0}{f.P50Microseconds,9}{f.P99Microseconds,9}{f.MaxMicroseconds,9}{f.Errors,8}");
    }

    Console.WriteLine($"  attack: {counts.Idle:N0} idle connections, 500 slow senders cut off {counts.SlowCutOff:N0} times, {counts.Churned:N0} refused connections; target p99 <= 1 ms");
    return;
}

if (args is ["socketmap", ..])
{
    var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
    Console.WriteLine($"tokenbrokerd socketmap benchmark: {seconds} s per level, {Environment.ProcessorCount} cores, load generator and servers on the same machine");
    Console.WriteLine(UnitLine());
    var (floor, broker, peak) = await SocketmapBenchmark.RunAsync(100, seconds, [1, 16, 64]);
    Console.WriteLine($"  {"connections",-12}{"server",-12}{"lookups/s",12}{"p50 µs",9}{"p99 µs",9}{"max µs",9}{"errors",8}   share of floor");
    foreach (var (f, b) in floor.Zip(broker))
    {
        Console.WriteLine($"  {f.Connections,-12}{"floor",-12}{f.LookupsPerSecond,12:F0}{f.P50Microseconds,9}{f.P99Microseconds,9}{f.MaxMicroseconds,9}{f.Errors,8}");
        Console.WriteLine($"  {b.Connections,-12}{"tokenbroker",-12}{b.LookupsPerSecond,12:F0}{b.P50Microseconds,9}{b.P99Microseconds,9}{b.MaxMicroseconds,9}{b.Errors,8}   {b.LookupsPerSecond / f.LookupsPerSecond,6:P0}");
    }

    Console.WriteLine($"  daemon peak RSS {peak:F0} MiB (target <= 150 MiB); targets: >= 50 % of the floor at 16 connections, p99 <= 1 ms at 1 connection");
    return;
}

var accounts = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 10_000;
string[] providers = args.Length > 1 ? args[1..] : ["openiddict", "instant", "scheduler"];
Console.WriteLine($"tokenbrokerd refresh benchmark: {accounts} accounts, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
Console.WriteLine(UnitLine());
foreach (var provider in providers)
{
    if (provider == "scheduler")
    {
        var (all, warm) = await SchedulerOnlyBenchmark.RunAsync(accounts);
        Console.WriteLine();
        Console.WriteLine("scheduler alone (Quartz, coordinator, refresher; instant provider without HTTP, store in memory, no logging):");
        Console.WriteLine(Row("CPU per refresh", $"{all.TotalMilliseconds:F3} ms", "all refreshes, JIT warm-up included"));
        Console.WriteLine(Row("  warm (second half)", $"{warm.TotalMilliseconds:F3} ms", "target < 1 ms"));
        continue;
    }

    var figures = await RefreshBenchmark.RunAsync(provider, accounts);
    Console.WriteLine();
    Console.WriteLine($"provider: {figures.Provider}");
    Console.WriteLine(Row("seeding the store", $"{figures.Seeding.TotalSeconds:F1} s", "(not part of the daemon)"));
    Console.WriteLine(Row("cold to fresh", $"{figures.ColdToFresh.TotalSeconds:F1} s", $"{figures.Accounts / figures.ColdToFresh.TotalSeconds:F0} refreshes/s, from process start"));
    Console.WriteLine(Row("peak concurrent refreshes", figures.PeakConcurrentRefreshes > 0 ? figures.PeakConcurrentRefreshes.ToString(CultureInfo.InvariantCulture) : "-", "limit: TokenBroker:Refresh:Concurrency = 4"));
    Console.WriteLine(Row("daemon CPU per refresh", $"{figures.CpuPerRefresh.TotalMilliseconds:F2} ms", "all refreshes, JIT warm-up included"));
    Console.WriteLine(Row("  warm (second half)", $"{figures.WarmCpuPerRefresh.TotalMilliseconds:F2} ms", "target < 1 ms with the instant provider"));
    Console.WriteLine(Row("daemon RSS when ready", $"{figures.RssAtReadyMiB:F0} MiB", $"all accounts loaded and scheduled; start-up peak {figures.PeakRssAtReadyMiB:F0} MiB"));
    Console.WriteLine(Row("daemon peak RSS", $"{figures.PeakRssMiB:F0} MiB", "target <= 200 MiB at 10,000 accounts"));
    Console.WriteLine(Row("daemon RSS at the end", $"{figures.RssAtEndMiB:F0} MiB", "every account fresh"));
}

static string UnitLine() =>
    $"daemon environment from systemd/tokenbroker.service: {string.Join(' ', RefreshBenchmark.UnitEnvironment().Select(e => $"{e.Key}={e.Value}"))}";

static string Row(string name, string value, string reference) => $"  {name,-28}{value,12}   {reference}";
