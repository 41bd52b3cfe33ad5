using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary>
/// <c>make</c> in the repository, run once per test run and shared: the self-contained daemon, the
/// NativeAOT CLI and the SASL plugin in <c>build/</c>. Two publishes of one project at once would
/// write the same intermediate files, so every test that needs a published program waits for this one.
/// </summary>
internal static class MakeBuild
{
    private static readonly Lazy<Task<string>> Build = new(RunAsync);

    /// <summary>The build directory, once <c>make</c> has finished.</summary>
    public static Task<string> DirectoryAsync() => Build.Value;

    /// <summary>Runs <c>make ARGUMENTS</c> in the repository, which must succeed.</summary>
    public static async Task RunAsync(IEnumerable<string> arguments, TimeSpan limit)
    {
        var result = await Command.RunAsync("make", ["-C", BuiltPrograms.Repository, .. arguments], limit: limit);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static async Task<string> RunAsync()
    {
        await RunAsync(["all"], TimeSpan.FromMinutes(20));
        return Path.Combine(BuiltPrograms.Repository, "build");
    }
}
