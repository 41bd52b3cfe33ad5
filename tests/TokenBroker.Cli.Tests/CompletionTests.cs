using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary>The completion scripts in contrib/completions: made by the CLI from its own commands, and working in real shells.</summary>
public sealed class CompletionTests : IAsyncLifetime
{
    private static readonly string Directory = Path.Combine(BuiltPrograms.Repository, "contrib", "completions");
    private readonly TempDirectory _bin = new();
    private BrokerScenario _broker = null!;

    public async Task InitializeAsync() => _broker = await BrokerScenario.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _bin.Dispose();
    }

    [Theory]
    [InlineData("bash", "tokenbroker.bash")]
    [InlineData("zsh", "_tokenbroker")]
    [InlineData("fish", "tokenbroker.fish")]
    public async Task The_contrib_file_is_what_the_cli_prints_today(string shell, string file)
    {
        using var cli = _broker.Cli("completions", shell);

        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Equal(File.ReadAllText(Path.Combine(Directory, file)).TrimEnd('\n'), string.Join('\n', cli.Stdout));
    }

    [Theory]
    [InlineData("tokenbroker ''", "account consent status token refresh postfix-config doctor")]
    [InlineData("tokenbroker account ''", "add list show remove")]
    [InlineData("tokenbroker account add --provider ''", "google microsoft generic")]
    [InlineData("tokenbroker token work --format o", "oauthbearer")]
    [InlineData("tokenbroker consent ''", "work")]
    [InlineData("tokenbroker account remove w", "work")]
    public async Task Bash_completes_commands_options_values_and_account_names(string line, string expected)
    {
        var words = await RunAsync("bash", $"source {Path.Combine(Directory, "tokenbroker.bash")}; COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _tokenbroker; echo \"${{COMPREPLY[*]}}\"");

        Assert.Superset(expected.Split(' ').ToHashSet(), words.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet());
    }

    [Fact]
    public async Task Fish_completes_subcommands_with_their_descriptions_and_account_names()
    {
        var subcommands = await RunAsync("fish", $"source {Path.Combine(Directory, "tokenbroker.fish")}; complete -C 'tokenbroker account '");
        var accounts = await RunAsync("fish", $"source {Path.Combine(Directory, "tokenbroker.fish")}; complete -C 'tokenbroker token '");

        Assert.Contains("remove\tRemove an account and its grant, revoking the grant at the provider when it can", subcommands.Split('\n'));
        Assert.Contains("work", accounts.Split('\n'));
    }

    [Fact]
    public async Task Zsh_loads_the_completion_through_bashcompinit()
    {
        var defined = await RunAsync("zsh", $"source {Path.Combine(Directory, "_tokenbroker")}; print -r -- ${{+functions[_tokenbroker]}}");

        Assert.Equal("1", defined.Trim());
    }

    /// <summary>Runs a shell command with <c>tokenbroker</c> on PATH, talking to the test daemon.</summary>
    private async Task<string> RunAsync(string shell, string script)
    {
        var wrapper = _bin.Combine("tokenbroker");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet {BuiltPrograms.Cli} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_000_000);
        var result = await Command.RunAsync(shell, ["-c", script], new Dictionary<string, string>
        {
            ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}",
            ["TOKENBROKER_ADMIN_SOCKET"] = _broker.AdminSocket,
        });
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }
}
