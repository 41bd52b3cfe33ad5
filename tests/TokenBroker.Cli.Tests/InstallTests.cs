using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary><c>make install PREFIX=/usr DESTDIR=…</c> and <c>make uninstall</c>: the tree, its modes, and the installed programs running.</summary>
public sealed class InstallTests(InstallTests.Installed installed) : IClassFixture<InstallTests.Installed>
{
    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Readable = (UnixFileMode)0b110_100_100;

    private string Root => installed.Root;

    [Fact]
    public void The_tree_holds_every_part_with_its_mode_and_nothing_writable_by_others()
    {
        var files = Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.Combine(Root, "usr/lib/tokenbroker/"), StringComparison.Ordinal) && !Directory.Exists(f))
            .Select(f => Path.GetRelativePath(Root, f))
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "etc/tokenbroker/tokenbroker.json",
                "usr/bin/tokenbroker",
                "usr/bin/tokenbrokerd",
                "usr/lib/systemd/system/tokenbroker.service",
                "usr/lib/sysusers.d/tokenbroker.conf",
                "usr/lib/tmpfiles.d/tokenbroker.conf",
                $"usr/lib/{installed.Multiarch}/sasl2/libtokenbroker-oauth2.so",
                "usr/share/bash-completion/completions/tokenbroker",
                "usr/share/doc/tokenbroker/README.md",
                "usr/share/doc/tokenbroker/tokenbroker.example.json",
                "usr/share/fish/vendor_completions.d/tokenbroker.fish",
                "usr/share/man/man1/tokenbroker.1",
                "usr/share/man/man5/tokenbroker.json.5",
                "usr/share/man/man8/tokenbrokerd.8",
                "usr/share/zsh/vendor-completions/_tokenbroker",
            ],
            files);
        Assert.Equal(Executable, File.GetUnixFileMode(Path.Combine(Root, "usr/bin/tokenbroker")));
        Assert.Equal(Executable, File.GetUnixFileMode(Path.Combine(Root, "usr/lib/tokenbroker/tokenbrokerd")));
        Assert.Equal("/usr/lib/tokenbroker/tokenbrokerd", new FileInfo(Path.Combine(Root, "usr/bin/tokenbrokerd")).LinkTarget);
        Assert.Equal(Readable, File.GetUnixFileMode(Path.Combine(Root, "usr/lib/systemd/system/tokenbroker.service")));
        Assert.Equal(Readable, File.GetUnixFileMode(Path.Combine(Root, "usr/share/man/man8/tokenbrokerd.8")));
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(Path.Combine(Root, "etc/tokenbroker/tokenbroker.json")));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(Path.Combine(Root, "etc/tokenbroker")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories),
            f => new FileInfo(f).LinkTarget is null && (File.GetUnixFileMode(f) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0);
        Assert.Empty(Directory.EnumerateFiles(Root, "*.pdb", SearchOption.AllDirectories));
        Assert.Contains("ExecStart=/usr/bin/tokenbrokerd --config /etc/tokenbroker/tokenbroker.json", File.ReadAllLines(Path.Combine(Root, "usr/lib/systemd/system/tokenbroker.service")));
    }

    [Fact]
    public async Task The_installed_daemon_runs_on_the_installed_example_configuration_and_the_installed_cli_talks_to_it()
    {
        using var run = new TempDirectory();
        var adminSocket = run.Combine("admin.sock");
        using var daemon = ChildProcess.StartProgram(
            Path.Combine(Root, "usr/lib/tokenbroker/tokenbrokerd"), ["--config", Path.Combine(Root, "etc/tokenbroker/tokenbroker.json")], run.Path,
            new Dictionary<string, string?>
            {
                ["TOKENBROKER__STATEDIRECTORY"] = run.Combine("state"),
                ["TOKENBROKER__ADMINSOCKET"] = adminSocket,
                ["TOKENBROKER__POSTFIX__SOCKET"] = run.Combine("postfix.sock"),
                ["TOKENBROKER__CONSENT__PORT"] = "0",
            });
        await daemon.WaitForLineAsync("tokenbrokerd ready");

        var status = await Command.RunAsync(Path.Combine(Root, "usr/bin/tokenbroker"), ["status", "--admin-socket", adminSocket]);
        var socketGroup = await Command.RunAsync("stat", ["-c", "%G", run.Combine("postfix.sock")]);
        daemon.Terminate();

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.StartsWith("no accounts", status.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await daemon.WaitForExitAsync());
        // The example gives the Postfix socket to group postfix, as a relay needs.
        Assert.Equal("postfix\n", socketGroup.Stdout);
    }

    [Fact]
    public async Task Install_keeps_an_operator_s_configuration_and_uninstall_removes_everything_else()
    {
        using var root = new TempDirectory();
        var config = root.Combine("etc/tokenbroker/tokenbroker.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, """{ "TokenBroker": { "Refresh": { "Concurrency": 2 } } }""");

        await MakeAsync("install", root.Path);
        var kept = File.ReadAllText(config);
        await MakeAsync("uninstall", root.Path);

        Assert.Equal("""{ "TokenBroker": { "Refresh": { "Concurrency": 2 } } }""", kept);
        Assert.Equal([config], Directory.EnumerateFiles(root.Path, "*", SearchOption.AllDirectories));
    }

    /// <summary>Runs <c>make TARGET PREFIX=/usr DESTDIR=ROOT</c> in the repository, after the shared build.</summary>
    internal static async Task MakeAsync(string target, string root)
    {
        var build = await MakeBuild.DirectoryAsync();
        await MakeBuild.RunAsync([target, "PREFIX=/usr", $"DESTDIR={root}", $"BUILD={build}"], TimeSpan.FromMinutes(5));
    }

    /// <summary>One installation into a temporary DESTDIR, shared by the class.</summary>
    public sealed class Installed : IAsyncLifetime
    {
        private readonly TempDirectory _root = new();

        public string Root => _root.Path;

        /// <summary>The Debian multiarch name (<c>x86_64-linux-gnu</c>), part of the SASL plugin directory.</summary>
        public string Multiarch { get; private set; } = string.Empty;

        public async Task InitializeAsync()
        {
            await MakeAsync("install", Root);
            Multiarch = (await Command.RunAsync("gcc", ["-print-multiarch"])).Stdout.Trim();
        }

        public Task DisposeAsync()
        {
            _root.Dispose();
            return Task.CompletedTask;
        }
    }
}
