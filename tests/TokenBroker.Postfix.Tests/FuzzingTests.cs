using System.Globalization;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Postfix.Tests;

/// <summary>
/// Coverage-guided fuzzing of the socketmap codec: AFL++ drives tests/TokenBroker.Fuzz, whose
/// TokenBroker.Postfix.dll SharpFuzz instruments. A minute in CI; <c>TOKENBROKER_RELIABILITY_SCALE</c> for longer.
/// </summary>
public sealed class FuzzingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_minute_of_AFL_on_the_socketmap_codec_finds_no_crash_and_no_hang()
    {
        var seconds = 60 * ReliabilityReport.Scale;
        using var work = new TempDirectory();
        var target = work.Combine("target");
        CopyDirectory(Path.GetDirectoryName(BuiltPrograms.Fuzz)!, target);
        var tools = work.Combine("tools");
        Succeeded(await Command.RunAsync("dotnet", ["tool", "install", "SharpFuzz.CommandLine", "--version", "2.3.0", "--tool-path", tools], limit: TimeSpan.FromMinutes(5)));
        Succeeded(await Command.RunAsync(Path.Combine(tools, "sharpfuzz"), [Path.Combine(target, "TokenBroker.Postfix.dll")]));

        var findings = work.Combine("findings");
        var fuzz = await Command.RunAsync(
            "afl-fuzz",
            ["-i", Path.Combine(BuiltPrograms.Repository, "tests", "TokenBroker.Fuzz", "corpus"), "-o", findings, "-t", "5000", "-m", "none", "-V", seconds.ToString(CultureInfo.InvariantCulture),
             "--", "dotnet", Path.Combine(target, "TokenBroker.Fuzz.dll")],
            new Dictionary<string, string>
            {
                ["AFL_SKIP_BIN_CHECK"] = "1",
                ["AFL_SKIP_CPUFREQ"] = "1",
                ["AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES"] = "1",
                ["AFL_NO_UI"] = "1",
                ["AFL_NO_AFFINITY"] = "1",
            },
            limit: TimeSpan.FromSeconds(seconds + 300));
        Succeeded(fuzz);

        var stats = File.ReadAllLines(Path.Combine(findings, "default", "fuzzer_stats"))
            .Select(l => l.Split(':', 2)).ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim(), StringComparer.Ordinal);
        var crashes = Directory.EnumerateFiles(Path.Combine(findings, "default", "crashes")).Where(f => !f.EndsWith("README.txt", StringComparison.Ordinal)).ToList();
        Assert.True(crashes.Count == 0, $"AFL found {crashes.Count} crashing input(s), e.g. {crashes.FirstOrDefault()}:\n{fuzz.Stdout}");
        Assert.Equal("0", stats["saved_hangs"]);
        var executions = long.Parse(stats["execs_done"], CultureInfo.InvariantCulture);
        var paths = int.Parse(stats["corpus_count"], CultureInfo.InvariantCulture);
        // Instrumentation at work: the fuzzer found inputs that reach new code, beyond the three seeds.
        Assert.True(paths > 3, $"no new paths in {executions} executions: is TokenBroker.Postfix.dll instrumented?\n{fuzz.Stdout}");
        ReliabilityReport.Write(output, "coverage-guided fuzzing of the socketmap codec (AFL++, SharpFuzz)", $"{executions:N0} inputs in {seconds} s, {paths} paths", "no crash, no hang");
    }

    private static void Succeeded(CommandResult result) => Assert.True(result.ExitCode == 0, result.ToString());

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }
}
