using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary>The man pages in <c>docs/</c>: formatted without a warning, and tokenbroker(1) describes every command the CLI has.</summary>
public sealed class ManPageTests
{
    private static string Page(string name) => Path.Combine(BuiltPrograms.Repository, "docs", name);

    [Theory]
    [InlineData("tokenbroker.1")]
    [InlineData("tokenbrokerd.8")]
    [InlineData("tokenbroker.json.5")]
    public async Task A_page_formats_without_a_warning(string name)
    {
        var groff = await Command.RunAsync("groff", ["-man", "-ww", "-z", Page(name)]);
        var man = await Command.RunAsync("man", ["--warnings", "-l", Page(name)], new Dictionary<string, string> { ["MANWIDTH"] = "80" });

        Assert.Equal((0, string.Empty), (groff.ExitCode, groff.Stderr));
        Assert.Equal((0, string.Empty), (man.ExitCode, man.Stderr));
        Assert.Contains("NAME", man.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenbroker_1_has_a_heading_for_every_command_of_the_cli()
    {
        var page = File.ReadAllLines(Page("tokenbroker.1"));
        var commands = (await CommandsAsync()).Concat((await CommandsAsync("account")).Select(c => $"account {c}")).ToList();

        Assert.Contains("rekey", commands);
        Assert.All(commands, c => Assert.Contains(page, l => l.StartsWith(".B", StringComparison.Ordinal) && l.Replace("\\-", "-", StringComparison.Ordinal).Contains(c, StringComparison.Ordinal)));
    }

    /// <summary>The command names <c>tokenbroker [PARENT] --help</c> lists.</summary>
    private static async Task<IEnumerable<string>> CommandsAsync(params string[] parent)
    {
        var help = await Command.RunAsync("dotnet", [BuiltPrograms.Cli, .. parent, "--help"]);
        return help.Stdout.Split('\n').SkipWhile(l => l != "Commands:").Skip(1).TakeWhile(l => l.Length > 0).Select(l => l.Trim().Split(' ')[0]);
    }
}
