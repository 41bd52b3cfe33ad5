using LiteDB;
using TokenBroker.Core;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Storage;

/// <summary>What opening the store did about a rekey that a crash interrupted.</summary>
public enum RekeyRecovery
{
    /// <summary>No rekey was under way.</summary>
    None,

    /// <summary>The store was already sealed with the new key; the new key file was put in place.</summary>
    Finished,

    /// <summary>The store was still sealed with the old key; the new key and the half-written copy were deleted.</summary>
    Undone,
}

/// <summary>
/// Rekey: the new key is written beside the key file (<c>KEY.new</c>), every account is sealed again
/// into a copy beside the store, and then two renames, each synced, replace the store and the key
/// file in that order. Whenever a crash strikes, the store on disk is sealed with the key in the
/// key file or with the one in <c>KEY.new</c>; the next open compares key ids and finishes or undoes.
/// </summary>
public sealed partial class LiteDbGrantStore
{
    /// <inheritdoc />
    public Task<KeyChange> RekeyAsync(CancellationToken cancellationToken) => ExclusiveAsync(() =>
    {
        if (KeySource is not { IsCredential: false } source)
        {
            throw new SetupException(KeySource is null
                ? "this store was opened without a key file, so there is no key file to replace"
                : $"the master key is the systemd credential {KeySource.Path}, which the daemon cannot replace; see 'Changing the master key' in the README for the way through backup and restore");
        }

        var entries = ReadAllForRekey();
        var copy = CopyFile(FilePath);
        MasterKey newKey;
        try
        {
            newKey = MasterKeyFile.CreatePending(source.Path);
            SyncDirectory(source.Path);
            WriteSealedCopy(copy, newKey, entries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LiteException)
        {
            Discard(copy, MasterKeyFile.PendingPath(source.Path));
            throw new SetupException($"cannot write the new key and store beside {source.Path} and {FilePath} ({ex.Message}); nothing was changed", ex);
        }

        // From the rename on, the store on disk is sealed with the new key: the open database goes first,
        // with its write-ahead log, which would otherwise be replayed onto the new file.
        var oldKey = Key;
        var pendingKey = MasterKeyFile.PendingPath(source.Path);
        _database.Checkpoint();
        _database.Dispose();
        try
        {
            File.Delete(LogFile(FilePath));
            File.Move(copy, FilePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Attach(new LiteDatabase(Connection(FilePath)), oldKey);
            Discard(copy, pendingKey);
            newKey.Dispose();
            throw new SetupException($"cannot put the re-sealed store in place of {FilePath} ({ex.Message}); nothing was changed", ex);
        }

        Attach(new LiteDatabase(Connection(FilePath)), newKey);
        try
        {
            SyncDirectory(FilePath);
            File.Move(pendingKey, source.Path, overwrite: true);
            SyncDirectory(source.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SetupException(
                $"the store is sealed with the new key {newKey.KeyId}, but {source.Path} could not be replaced ({ex.Message}); the new key is in {pendingKey}, which the next start puts in place: keep it", ex);
        }

        // The old key is not zeroed: a backup being sealed with it right now must still be readable.
        return new KeyChange(source.Path, oldKey.KeyId, newKey.KeyId, entries.Count);
    }, cancellationToken);

    /// <summary>Finishes or undoes a rekey that a crash interrupted; called with the store locked, before the key is read.</summary>
    private static RekeyRecovery Recover(string storeFile, string keyFile)
    {
        DeleteStore(CopyFile(storeFile));
        var pending = MasterKeyFile.PendingPath(keyFile);
        if (!File.Exists(pending))
        {
            return RekeyRecovery.None;
        }

        var storedKeyId = File.Exists(storeFile) ? StoredKeyId(storeFile) : null;
        if (storedKeyId is not null && KeyIdIn(pending) == storedKeyId)
        {
            File.Move(pending, keyFile, overwrite: true);
            SyncDirectory(keyFile);
            return RekeyRecovery.Finished;
        }

        // The pending key is deleted only when the key file still opens the store; otherwise both are
        // left for the operator, and the open fails naming the key that does not fit.
        if (storedKeyId is null || KeyIdIn(keyFile) == storedKeyId)
        {
            File.Delete(pending);
            return RekeyRecovery.Undone;
        }

        return RekeyRecovery.None;
    }

    /// <summary>The id of the key in <paramref name="file"/>, or null when it cannot be read (cut off while written, or open to others).</summary>
    private static string? KeyIdIn(string file)
    {
        try
        {
            using var key = MasterKeyFile.Load(file);
            return key.KeyId;
        }
        catch (SetupException)
        {
            return null;
        }
    }

    /// <summary>Every account with its secrets; an account that cannot be read stops the rekey before anything is written.</summary>
    private List<AccountEntry> ReadAllForRekey()
    {
        var entries = new List<AccountEntry>();
        foreach (var document in _accounts.FindAll())
        {
            try
            {
                entries.Add(_documents.Read(document));
            }
            catch (Exception ex) when (ex is SecretUnsealException or InvalidDataException)
            {
                throw new SetupException(
                    $"account {AccountDocuments.ReadName(document)} cannot be read ({ex.Message}); remove it or restore a backup before a rekey; nothing was changed", ex);
            }
        }

        return entries;
    }

    private static void WriteSealedCopy(string copy, MasterKey newKey, List<AccountEntry> entries)
    {
        DeleteStore(copy);
        Core.State.PrivateFiles.CreateNew(copy).Dispose();
        var sealer = new AccountDocuments(new SecretSealer(newKey));
        using (var database = new LiteDatabase(Connection(copy)))
        {
            WriteMeta(database, newKey);
            database.GetCollection(AccountsCollection).InsertBulk(
                entries.Select(e => sealer.Write(e.Account, sealer.WriteGrant(e.Account.Name, e.Grant), e.Revision)));
            database.Checkpoint();
        }

        using var file = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Deletes what a failed rekey wrote, as far as it can: what is left is undone at the next open.</summary>
    private static void Discard(string copy, string pendingKey)
    {
        try
        {
            DeleteStore(copy);
            File.Delete(pendingKey);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The error that stopped the rekey is the one to report.
        }
    }

    private void Attach(LiteDatabase database, MasterKey key)
    {
        _database = database;
        _accounts = database.GetCollection(AccountsCollection);
        _documents = new AccountDocuments(new SecretSealer(key));
        Key = key;
    }

    /// <summary>The re-sealed copy of the store, beside it.</summary>
    private static string CopyFile(string storeFile) =>
        Path.Combine(Path.GetDirectoryName(storeFile)!, $"{Path.GetFileNameWithoutExtension(storeFile)}-rekey{Path.GetExtension(storeFile)}");

    private static void DeleteStore(string file)
    {
        File.Delete(file);
        File.Delete(LogFile(file));
    }

    /// <summary>Syncs the directory holding <paramref name="file"/>, so a rename in it survives a power cut.</summary>
    private static void SyncDirectory(string file) => DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(file))!);
}
