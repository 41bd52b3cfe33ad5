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

    private static async Task<string> RunAsync()
    {
        var result = await Command.RunAsync("make", ["-C", BuiltPrograms.Repository, "all"], limit: TimeSpan.FromMinutes(20));
        Assert.True(result.ExitCode == 0, result.ToString());
        return Path.Combine(BuiltPrograms.Repository, "build");
    }
}
