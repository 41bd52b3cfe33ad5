using TokenBroker.Core;

namespace TokenBroker.Daemon;

/// <summary>
/// A unix socket file the daemon listens on: a stale one from a crash is replaced before binding;
/// once bound, its mode (and group) are set. Bound under the daemon's umask 077, a socket is never
/// open to others before its mode is set.
/// </summary>
internal static class SocketFile
{
    /// <summary>
    /// Removes a stale socket left by a crashed daemon (the state lock proves none is running). The
    /// socket's directory must exist, unless it is the state directory, which the store creates
    /// before Kestrel binds.
    /// </summary>
    /// <param name="path">The socket path.</param>
    /// <param name="stateDirectory">The state directory.</param>
    /// <param name="setting">The setting that names the socket, for error messages.</param>
    /// <exception cref="SetupException">Something other than a socket is in the way, or the directory is missing.</exception>
    public static string PrepareForBind(string path, string stateDirectory, string setting)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory) && directory != stateDirectory)
        {
            throw new SetupException($"the directory of socket {path} does not exist; create it or set {setting}");
        }

        var existing = new FileInfo(path);
        if (existing.Exists || existing.LinkTarget is not null)
        {
            // A socket reads as an empty file; a link or a file with content is someone else's.
            if (existing.LinkTarget is not null || existing.Length > 0)
            {
                throw new SetupException($"socket path {path} is taken by a file or link that is not a socket; remove it or set {setting}");
            }

            File.Delete(path);
        }

        return path;
    }

    /// <summary>Sets the socket's mode, and its group when <paramref name="group"/> is given.</summary>
    /// <exception cref="SetupException">The group does not exist or cannot be given to the socket.</exception>
    public static void SetAccess(string path, UnixFileMode mode, string? group, string setting)
    {
        if (group is not null)
        {
            var gid = Posix.ResolveGroup(group) ?? throw new SetupException($"{setting} names group '{group}', which does not exist");
            if (Posix.ChangeOwner(path, uint.MaxValue, gid) is { } problem)
            {
                throw new SetupException($"cannot give socket {path} to group '{group}' ({setting}): {problem}; the daemon's user must be a member of that group");
            }
        }

        File.SetUnixFileMode(path, mode);
    }
}
