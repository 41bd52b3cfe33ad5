using TokenBroker.Core;
using TokenBroker.Core.State;

namespace TokenBroker.Daemon.Admin;

/// <summary>The admin socket file: a stale one from a crash is replaced; the live one is mode 0600.</summary>
internal static class AdminSocket
{
    /// <summary>
    /// Removes a stale socket left by a crashed daemon (the state lock proves none is running). The
    /// socket's directory must exist, unless it is the state directory, which the store creates
    /// before Kestrel binds.
    /// </summary>
    /// <exception cref="SetupException">Something other than a socket is in the way, or the directory is missing.</exception>
    public static string PrepareForBind(string path, string stateDirectory)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory) && directory != stateDirectory)
        {
            throw new SetupException($"the directory of admin socket {path} does not exist; create it or set TokenBroker:AdminSocket");
        }

        var existing = new FileInfo(path);
        if (existing.Exists || existing.LinkTarget is not null)
        {
            // A socket reads as an empty file; a link or a file with content is someone else's.
            if (existing.LinkTarget is not null || existing.Length > 0)
            {
                throw new SetupException($"admin socket path {path} is taken by a file or link that is not a socket; remove it or set TokenBroker:AdminSocket");
            }

            File.Delete(path);
        }

        return path;
    }

    public static void MakePrivate(string path) => File.SetUnixFileMode(path, PrivateFiles.FileMode);
}
