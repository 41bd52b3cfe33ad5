using TokenBroker.Core.Admin;
using TokenBroker.Daemon.Admin;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Admin;

/// <summary>doctor's "postfix can reach": Postfix's daemons keep only their primary group, so only that group opens a path.</summary>
public sealed class PostfixReachTests : IDisposable
{
    private const uint PostfixUser = 40001;
    private const uint PostfixGroup = 40002;
    private const uint OtherGroup = 40003;

    private readonly TempDirectory _directory = new();
    private readonly string _socket;

    public PostfixReachTests()
    {
        var run = _directory.Combine("run");
        Directory.CreateDirectory(run);
        _socket = Path.Combine(run, "postfix.sock");
        File.WriteAllText(_socket, string.Empty);
        File.SetUnixFileMode(_directory.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(run, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
        File.SetUnixFileMode(_socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
    }

    [Fact]
    public void Postfix_s_own_group_on_the_directory_and_socket_lets_it_connect()
    {
        Give(PostfixGroup, PostfixGroup);

        var finding = DoctorChecks.PostfixReach(_socket, (PostfixUser, PostfixGroup));

        Assert.Equal((Finding.Ok, $"user postfix can connect to {_socket}"), (finding.Status, finding.Detail));
    }

    [Fact]
    public void A_group_postfix_is_only_a_member_of_does_not_count_because_postfix_drops_it()
    {
        Give(OtherGroup, OtherGroup);

        var finding = DoctorChecks.PostfixReach(_socket, (PostfixUser, PostfixGroup));

        Assert.Equal(Finding.Fail, finding.Status);
        Assert.Equal($"user postfix cannot pass directory {Path.GetDirectoryName(_socket)} on the way to {_socket}", finding.Detail);
        Assert.StartsWith("set TokenBroker:Postfix:SocketGroup to postfix's own group", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_socket_its_group_cannot_write_fails_even_when_the_directory_opens()
    {
        Give(PostfixGroup, PostfixGroup);
        File.SetUnixFileMode(_socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var finding = DoctorChecks.PostfixReach(_socket, (PostfixUser, PostfixGroup));

        Assert.Equal((Finding.Fail, $"user postfix may not connect to {_socket}"), (finding.Status, finding.Detail));
    }

    [Fact]
    public void The_identity_is_the_user_and_its_primary_group()
    {
        Assert.Equal((0u, 0u), Posix.Identity("root"));
        Assert.Null(Posix.Identity("no-such-user-tokenbroker"));
    }

    public void Dispose() => _directory.Dispose();

    private void Give(uint directoryGroup, uint socketGroup)
    {
        Assert.Null(Posix.ChangeOwner(Path.GetDirectoryName(_socket)!, uint.MaxValue, directoryGroup));
        Assert.Null(Posix.ChangeOwner(_socket, uint.MaxValue, socketGroup));
    }
}
