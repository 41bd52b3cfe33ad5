using TokenBroker.Core;

namespace TokenBroker.Daemon.Admin;

/// <summary>The <c>TokenBroker:Admin</c> section: who may use the admin socket.</summary>
internal sealed class AdminOptions
{
    public const string Section = "TokenBroker:Admin";

    /// <summary>The group that owns the admin socket, e.g. <c>tokenbroker</c>; its members may use it. Default: none (the daemon's user only).</summary>
    public string? SocketGroup { get; set; }

    /// <summary>The socket's mode in octal; default 0660 with a <see cref="SocketGroup"/>, else 0600.</summary>
    public string? SocketMode { get; set; }

    /// <summary>Further users (names or numbers) allowed besides root, the daemon's user and the socket group's members.</summary>
    public List<string> AllowedUsers { get; set; } = [];

    /// <summary>Further groups (names or numbers) whose members are allowed.</summary>
    public List<string> AllowedGroups { get; set; } = [];

    /// <summary>The socket's mode.</summary>
    /// <exception cref="SetupException">The mode is not an octal permission mode.</exception>
    public UnixFileMode Mode()
    {
        var text = SocketMode ?? (SocketGroup is null ? "0600" : "0660");
        return text.Length is >= 3 and <= 4 && text.All(c => c is >= '0' and <= '7') && (Convert.ToInt32(text, 8) & ~0b111_111_111) == 0
            ? (UnixFileMode)Convert.ToInt32(text, 8)
            : throw new SetupException($"{Section}:SocketMode must be an octal mode such as 0660, not '{text}'");
    }

    /// <summary>Who may use the socket, names resolved now, so an unknown one stops the daemon at start.</summary>
    /// <exception cref="SetupException">A user or group does not exist.</exception>
    public AdminAccess Access() => new(
        Posix.UserId(),
        AllowedUsers.Select(u => Posix.ResolveUser(u) ?? throw new SetupException($"{Section}:AllowedUsers names user '{u}', which does not exist")).ToHashSet(),
        AllowedGroups.Append(SocketGroup).OfType<string>().Select(g => Posix.ResolveGroup(g) ?? throw new SetupException($"{Section}:{(g == SocketGroup ? "SocketGroup" : "AllowedGroups")} names group '{g}', which does not exist")).ToHashSet());
}
