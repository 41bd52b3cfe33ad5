using System.CommandLine;
using System.Security.Cryptography;

namespace TokenBroker.Cli;

/// <summary>
/// <c>tokenbroker backup FILE</c> and <c>tokenbroker restore FILE [--key-file KEY]</c>: every account
/// and grant, sealed with the master key, out of the running daemon and back into it;
/// <c>tokenbroker rekey</c>: a new master key for everything.
/// </summary>
internal static class BackupCommand
{
    public static Command Backup(Option<string?> adminSocket)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "Where to write the backup (mode 0600; replaced atomically)" };
        var command = new Command("backup", "Write every account and grant, sealed with the master key, to FILE") { file };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var (backup, skipped) = await client.BackupAsync(cancellationToken).ConfigureAwait(false);
            var path = result.GetValue(file)!.FullName;
            await WriteAtomicallyAsync(path, backup, cancellationToken).ConfigureAwait(false);
            await result.InvocationConfiguration.Output.WriteLineAsync($"backup written to {path} ({backup.Length} bytes, sealed with the daemon's master key; restore needs that key)").ConfigureAwait(false);
            if (skipped is not null)
            {
                await Console.Error.WriteLineAsync($"tokenbroker: left out, their secrets cannot be read: {skipped}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Restore(Option<string?> adminSocket)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A backup written by tokenbroker backup" };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "The master key the backup was sealed with, when it is not the daemon's" };
        var command = new Command("restore", "Replace every account and grant in the running daemon with those in FILE, in one step") { file, keyFile };
        command.SetAction(async (result, cancellationToken) =>
        {
            var backup = await ReadAsync(result.GetValue(file)!, "backup", cancellationToken).ConfigureAwait(false);
            var key = result.GetValue(keyFile) is { } keyPath ? await ReadAsync(keyPath, "master key", cancellationToken).ConfigureAwait(false) : null;
            try
            {
                using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
                var report = await client.RestoreAsync(backup, key, cancellationToken).ConfigureAwait(false);
                await result.InvocationConfiguration.Output.WriteLineAsync(
                    $"restored {report.Accounts.Count} account(s): {string.Join(", ", report.Accounts.Select(a => $"{a.Name} ({a.State})"))}").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            finally
            {
                if (key is not null)
                {
                    CryptographicOperations.ZeroMemory(key);
                }
            }
        });
        return command;
    }

    public static Command Rekey(Option<string?> adminSocket)
    {
        var command = new Command("rekey", "Seal everything with a new master key and replace the key file with it; a crash leaves the store readable with the old key or the new one");
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new AdminClient(AdminClient.Resolve(result.GetValue(adminSocket)));
            var change = await client.RekeyAsync(cancellationToken).ConfigureAwait(false);
            await result.InvocationConfiguration.Output.WriteLineAsync(
                $"master key {change.KeyFile} replaced: key id {change.OldKeyId} -> {change.NewKeyId}, {change.Accounts} account(s) sealed again\n" +
                $"backups sealed with key id {change.OldKeyId} cannot be restored any more: make a new one now (tokenbroker backup FILE)").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<byte[]> ReadAsync(FileInfo file, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Failure, $"cannot read the {what} file {file.FullName}: {ex.Message}");
        }
    }

    /// <summary>A new file beside the target, mode 0600 from its creation, synced, then renamed over the target.</summary>
    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new CliException(ExitCodes.Failure, $"cannot write the backup to {path}: {ex.Message}");
        }
    }
}
