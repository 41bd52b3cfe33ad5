using System.Globalization;
using System.Text.RegularExpressions;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Install;

/// <summary>The files in <c>systemd/</c>, checked with systemd's own tools.</summary>
public sealed partial class SystemdFilesTests : IDisposable
{
    private readonly TempDirectory _root = new();

    private static string Systemd(string file) => Path.Combine(BuiltPrograms.Repository, "systemd", file);

    [Fact]
    public async Task The_unit_s_exposure_by_systemd_analyze_security_is_at_most_2()
    {
        var result = await Command.RunAsync("systemd-analyze", ["security", "--offline=yes", "--no-pager", Systemd("tokenbroker.service")]);

        var exposure = ExposureLine().Match(result.Stdout);
        Assert.True(exposure.Success, result.ToString());
        Assert.InRange(double.Parse(exposure.Groups[1].Value, CultureInfo.InvariantCulture), 0.0, 2.0);
    }

    [Fact]
    public async Task Sysusers_makes_the_service_user_a_member_of_group_postfix_and_tmpfiles_makes_private_directories()
    {
        Directory.CreateDirectory(_root.Combine("etc"));
        File.WriteAllText(_root.Combine("etc/group"), "postfix:x:108:\n");
        Directory.CreateDirectory(_root.Combine("etc/tokenbroker"));
        File.WriteAllText(_root.Combine("etc/tokenbroker/tokenbroker.json"), "{}");

        var users = await Command.RunAsync("systemd-sysusers", [$"--root={_root.Path}", "-"], input: File.ReadAllText(Systemd("tokenbroker.sysusers.conf")));
        var directories = await Command.RunAsync("systemd-tmpfiles", ["--create", $"--root={_root.Path}", "-"], input: File.ReadAllText(Systemd("tokenbroker.tmpfiles.conf")));

        Assert.True(users.ExitCode == 0, users.ToString());
        Assert.True(directories.ExitCode == 0, directories.ToString());
        var user = Assert.Single(File.ReadAllLines(_root.Combine("etc/passwd")), l => l.StartsWith("tokenbroker:", StringComparison.Ordinal)).Split(':');
        Assert.Equal(("/var/lib/tokenbroker", "/usr/sbin/nologin"), (user[5], user[6]));
        Assert.Contains("postfix:x:108:tokenbroker", File.ReadAllLines(_root.Combine("etc/group")));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(_root.Combine("var/lib/tokenbroker")));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(_root.Combine("etc/tokenbroker")));
        var ids = (uint.Parse(user[2], CultureInfo.InvariantCulture), uint.Parse(user[3], CultureInfo.InvariantCulture));
        Assert.Equal(ids, Posix.Owner(_root.Combine("var/lib/tokenbroker")));
        // The configuration that make install wrote as root becomes readable by the daemon's group, and no one else.
        Assert.Equal((0u, ids.Item2), Posix.Owner(_root.Combine("etc/tokenbroker/tokenbroker.json")));
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(_root.Combine("etc/tokenbroker/tokenbroker.json")));
    }

    public void Dispose() => _root.Dispose();

    [GeneratedRegex(@"Overall exposure level for tokenbroker\.service: (\d+\.\d)")]
    private static partial Regex ExposureLine();
}
