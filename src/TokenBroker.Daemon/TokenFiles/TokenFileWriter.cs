using System.Security.Cryptography;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Daemon.TokenFiles;

/// <summary>
/// Writes a token file the way a reader can trust: the token and a newline go to a new file in the
/// same directory, which is synced, given its owner and mode, and renamed over the old one; then
/// the directory is synced. A reader sees the old file or the new one, never a partial or empty one.
/// A path outside the allowed directories, a symbolic link on the way or at the target, or a target
/// owned by someone else is refused, so nobody can make the daemon write through a link they planted.
/// </summary>
internal sealed class TokenFileWriter(IReadOnlyList<string> allowedDirectories)
{
    /// <summary>Writes <paramref name="token"/> to the file <paramref name="settings"/> describes.</summary>
    /// <returns>Null when written, else why not (for the log; the old file is left as it was).</returns>
    public string? Write(TokenFileSettings settings, Secret token)
    {
        var path = settings.Path;
        if (CheckPlace(path) is { } refused)
        {
            return refused;
        }

        var directory = Path.GetDirectoryName(path)!;
        var root = AllowedRoot(directory)!;
        for (var d = directory; d.Length >= root.Length; d = Path.GetDirectoryName(d) ?? string.Empty)
        {
            if (!Directory.Exists(d))
            {
                return $"the directory {d} of token file {path} does not exist; create it";
            }

            if (new DirectoryInfo(d).LinkTarget is not null)
            {
                return $"the directory {d} of token file {path} is a symbolic link; token files are not written through links";
            }
        }

        return WriteChecked(settings, token, path, directory);
    }

    /// <summary>
    /// Why a token file at <paramref name="path"/> would be refused before any file is looked at (not
    /// an absolute path, or outside the allowed directories); null when the place is allowed.
    /// </summary>
    public string? CheckPlace(string path)
    {
        if (!Path.IsPathFullyQualified(path) || Path.GetFullPath(path) != path || path.EndsWith('/'))
        {
            return $"token file {path} must be an absolute path to a file, without . or .. parts";
        }

        return AllowedRoot(Path.GetDirectoryName(path)!) is null
            ? $"token file {path} is outside the allowed directories ({string.Join(", ", allowedDirectories)}); move it or add its directory to TokenBroker:TokenFiles:AllowedDirectories"
            : null;
    }

    private string? AllowedRoot(string directory) =>
        allowedDirectories.FirstOrDefault(a => directory == a || directory.StartsWith(a.EndsWith('/') ? a : a + "/", StringComparison.Ordinal));

    private static string? WriteChecked(TokenFileSettings settings, Secret token, string path, string directory)
    {
        uint? user = settings.Owner is null ? null : Posix.ResolveUser(settings.Owner);
        uint? group = settings.Group is null ? null : Posix.ResolveGroup(settings.Group);
        if ((settings.Owner is not null && user is null) || (settings.Group is not null && group is null))
        {
            return $"token file {path}: owner '{settings.Owner}' or group '{settings.Group}' does not exist";
        }

        if (new FileInfo(path).LinkTarget is not null)
        {
            return $"token file {path} is a symbolic link; remove it";
        }

        var expectedOwner = user ?? Posix.UserId();
        if (Posix.Owner(path) is { } owner && owner.User != expectedOwner)
        {
            return $"token file {path} belongs to uid {owner.User}, not {expectedOwner}; remove it if it is yours to replace";
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}.tmp");
        try
        {
            using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None }))
            {
                file.Write(token.RevealBytes());
                file.WriteByte((byte)'\n');
                file.Flush(flushToDisk: true);
            }

            if ((user is not null || group is not null) && Posix.ChangeOwner(temporary, user ?? uint.MaxValue, group ?? uint.MaxValue) is { } problem)
            {
                return $"token file {path}: cannot give it to {settings.Owner ?? "(unchanged)"}:{settings.Group ?? "(unchanged)"}: {problem}";
            }

            File.SetUnixFileMode(temporary, settings.Mode);
            File.Move(temporary, path, overwrite: true);
            Storage.DirectorySync.Sync(directory);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"token file {path}: {ex.Message}";
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
