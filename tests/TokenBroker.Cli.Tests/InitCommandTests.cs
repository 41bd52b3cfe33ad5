using TokenBroker.Core.State;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

public sealed class InitCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly StateLayout _layout;

    public InitCommandTests() => _layout = new StateLayout(_directory.Combine("state"));

    [Fact]
    public async Task Init_creates_a_private_state_directory_and_key_and_keeps_them_on_a_second_run()
    {
        var (firstCode, first) = await RunAsync("init", "--state-dir", _layout.Directory);
        var key = File.ReadAllText(_layout.DefaultKeyFile);
        var (secondCode, second) = await RunAsync("init", "--state-dir", _layout.Directory);

        Assert.Equal(0, firstCode);
        Assert.Equal(0, secondCode);
        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(_layout.Directory));
        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(_layout.DefaultKeyFile));
        Assert.Contains($"master key {_layout.DefaultKeyFile}: created", first.Output, StringComparison.Ordinal);
        Assert.Contains($"master key {_layout.DefaultKeyFile}: exists", second.Output, StringComparison.Ordinal);
        Assert.Equal(key, File.ReadAllText(_layout.DefaultKeyFile));
        Assert.DoesNotContain(key.Trim(), first.Output + second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_puts_the_key_where_it_is_told()
    {
        var keyFile = _directory.Combine("etc-tokenbroker.key");

        var (code, _) = await RunAsync("init", "--state-dir", _layout.Directory, "--key-file", keyFile);

        Assert.Equal(0, code);
        Assert.True(File.Exists(keyFile));
        Assert.False(File.Exists(_layout.DefaultKeyFile));
    }

    [Fact]
    public async Task Init_tightens_an_open_state_directory()
    {
        Directory.CreateDirectory(_layout.Directory);
        File.SetUnixFileMode(_layout.Directory, PrivateFiles.DirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var (code, run) = await RunAsync("init", "--state-dir", _layout.Directory);

        Assert.Equal(0, code);
        Assert.Contains("mode 0755 changed to 0700", run.Output, StringComparison.Ordinal);
        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(_layout.Directory));
    }

    [Fact]
    public async Task Init_refuses_a_key_others_can_read_with_one_line_naming_the_fix()
    {
        await RunAsync("init", "--state-dir", _layout.Directory);
        File.SetUnixFileMode(_layout.DefaultKeyFile, PrivateFiles.FileMode | UnixFileMode.OtherRead);

        var (code, run) = await RunAsync("init", "--state-dir", _layout.Directory);

        Assert.Equal(1, code);
        Assert.Equal($"tokenbroker: master key file {_layout.DefaultKeyFile} is accessible by group or others (mode 0604); run: chmod 600 {_layout.DefaultKeyFile}", Assert.Single(run.Stderr));
    }

    [Theory]
    [InlineData("init", "--bogus")]
    [InlineData("no-such-command")]
    public async Task Usage_errors_exit_64(params string[] arguments)
    {
        var (code, run) = await RunAsync(arguments);

        Assert.Equal(64, code);
        Assert.Contains("tokenbroker --help", run.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private async Task<(int Code, Finished Run)> RunAsync(params string[] arguments)
    {
        using var run = ChildProcess.Start(BuiltPrograms.Cli, arguments, _directory.Path);
        var code = await run.WaitForExitAsync();
        return (code, new Finished(run.Output, [.. run.Stderr]));
    }

    private sealed record Finished(string Output, IReadOnlyList<string> Stderr);
}
