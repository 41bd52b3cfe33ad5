using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary><c>tokenbroker demo</c> as a newcomer runs it: every step shown, everything removed afterwards.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task The_demo_walks_from_an_account_to_a_postfix_answer_and_leaves_nothing_behind()
    {
        var before = Leftovers();

        // The programs were built by the test run; building them again here would only race it.
        var demo = await Command.RunAsync("dotnet", [BuiltPrograms.Cli, "demo", "--no-build"], limit: TimeSpan.FromMinutes(4));

        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.Contains("TokenBroker now holds a grant for account demo", demo.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"demo +active +in (59m|1h 0m) +in \d+m", demo.Stdout);
        Assert.Contains("\nOK alice@example.test:eyJ", demo.Stdout, StringComparison.Ordinal);
        Assert.Empty(Leftovers().Except(before));
    }

    private static string[] Leftovers() => Directory.GetDirectories(Path.GetTempPath(), "tokenbroker-demo-*");
}
