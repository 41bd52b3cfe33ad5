using LiteDB;
using TokenBroker.Core;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Core.Storage;

namespace TokenBroker.Storage;

/// <summary>
/// The embedded store: one LiteDB file in the state directory, mode 0600, guarded by an exclusive
/// flock so only one daemon uses it. Every secret field is sealed with AES-256-GCM.
/// </summary>
public sealed partial class LiteDbGrantStore : IGrantStore, ISealedStore, IDisposable
{
    private const string AccountsCollection = "accounts";
    private const string MetaCollection = "meta";
    private const string MetaId = "store";
    private const int FormatVersion = 1;
    private const int PageSize = 8192;

    private readonly StoreLock _lock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly LocalGrantHolds _holds;
    private LiteDatabase _database;
    private ILiteCollection<BsonDocument> _accounts;
    private AccountDocuments _documents;
    private bool _disposed;
    private bool _reopen;

    private LiteDbGrantStore(StoreLock storeLock, LiteDatabase database, MasterKey key, string file)
    {
        _lock = storeLock;
        _database = database;
        _accounts = database.GetCollection(AccountsCollection);
        _documents = new AccountDocuments(new SecretSealer(key));
        _holds = new LocalGrantHolds(this);
        Key = key;
        FilePath = file;
    }

    /// <summary>The store file.</summary>
    public string FilePath { get; }

    /// <summary>True when the store file was created by this open.</summary>
    public bool Created { get; private init; }

    /// <inheritdoc />
    public MasterKey Key { get; private set; }

    /// <summary>Where the key came from, when the store was opened from a <see cref="MasterKeySource"/>.</summary>
    public MasterKeySource? KeySource { get; private init; }

    /// <summary>True when the key file was created by this open.</summary>
    public bool KeyCreated { get; private init; }

    /// <summary>What this open did about a rekey that a crash interrupted.</summary>
    public RekeyRecovery Recovery { get; private init; }

    /// <summary>
    /// Opens the store in <paramref name="layout"/>'s directory with <paramref name="key"/>, creating
    /// directory and file when missing. An existing file is first read through an overlay that keeps
    /// writes in memory, and checked against the key, so a wrong key or a corrupt file is refused
    /// before anything is written.
    /// </summary>
    /// <exception cref="SetupException">Locked by another daemon, loose permissions, corrupt, or another key.</exception>
    public static LiteDbGrantStore Open(StateLayout layout, MasterKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Open(layout, key, source: null);
    }

    /// <summary>
    /// As <see cref="Open(StateLayout, MasterKey)"/> with the key read from <paramref name="source"/>
    /// (created there when allowed), after finishing or undoing a rekey that a crash interrupted.
    /// </summary>
    /// <exception cref="SetupException">As above, or the key is missing, open to others or malformed.</exception>
    public static LiteDbGrantStore Open(StateLayout layout, MasterKeySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Open(layout, givenKey: null, source);
    }

    private static LiteDbGrantStore Open(StateLayout layout, MasterKey? givenKey, MasterKeySource? source)
    {
        ArgumentNullException.ThrowIfNull(layout);
        PrivateFiles.EnsureDirectory(layout.Directory);
        var storeLock = StoreLock.Acquire(layout.LockFile);
        MasterKey? loaded = null;
        try
        {
            // The rekey check comes first, under the lock: it may put a new key file in place.
            var recovery = source is { IsCredential: false } ? Recover(layout.StoreFile, source.Path) : RekeyRecovery.None;
            var keyCreated = false;
            loaded = source?.LoadOrCreate(out keyCreated);
            var key = givenKey ?? loaded!;
            var (database, created) = OpenFile(layout.StoreFile, key);
            return new LiteDbGrantStore(storeLock, database, key, layout.StoreFile)
            {
                Created = created,
                KeySource = source,
                KeyCreated = keyCreated,
                Recovery = recovery,
            };
        }
        catch
        {
            loaded?.Dispose();
            storeLock.Dispose();
            throw;
        }
    }

    private static (LiteDatabase Database, bool Created) OpenFile(string file, MasterKey key)
    {
        var created = !File.Exists(file);
        if (created)
        {
            PrivateFiles.CreateNew(file).Dispose();
        }
        else
        {
            PrivateFiles.EnsurePrivate(file, "store file");
            Verify(file, key);
        }

        var database = new LiteDatabase(Connection(file));
        if (created)
        {
            WriteMeta(database, key);
        }

        return (database, created);
    }

    private static void WriteMeta(LiteDatabase database, MasterKey key) =>
        database.GetCollection(MetaCollection).Insert(new BsonDocument
        {
            ["_id"] = MetaId,
            ["format"] = FormatVersion,
            ["key_id"] = key.KeyId,
        });

    /// <inheritdoc />
    public Task<StoreListing> ListAsync(CancellationToken cancellationToken) => ExclusiveAsync(() =>
    {
        var accounts = new List<AccountEntry>();
        var unreadable = new List<UnreadableAccount>();
        // One document at a time: holding every document and every entry at once doubles the peak memory.
        foreach (var document in _accounts.FindAll())
        {
            try
            {
                accounts.Add(_documents.Read(document, secrets: false));
            }
            catch (Exception ex) when (ex is SecretUnsealException or InvalidDataException)
            {
                // One damaged account must not hide the others; it is reported, its data left alone.
                unreadable.Add(new UnreadableAccount(AccountDocuments.ReadName(document), ex.Message));
            }
        }

        accounts.Sort((a, b) => string.CompareOrdinal(a.Account.Name.Value, b.Account.Name.Value));
        unreadable.Sort((a, b) => string.CompareOrdinal(a.Name.Value, b.Name.Value));
        return new StoreListing(accounts, unreadable);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) => ExclusiveAsync(() =>
    {
        var document = _accounts.FindById(name.Value);
        return document is null ? null : ReadEntry(name, document);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return ExclusiveAsync(() =>
        {
            var existing = _accounts.FindById(account.Name.Value);
            var grant = existing?["grant"].AsDocument ?? _documents.WriteGrant(account.Name, Grant.None);
            var revision = existing is null ? 1 : existing["revision"].AsInt64 + 1;
            var document = _documents.Write(account, grant, revision);
            _accounts.Upsert(document);
            return ReadEntry(account.Name, document);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The file is open to this daemon alone, so a hold is a gate in this process.</remarks>
    public Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken) => _holds.HoldAsync(name, cancellationToken);

    /// <inheritdoc />
    public Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return ExclusiveAsync(() =>
        {
            var document = _accounts.FindById(name.Value);
            if (document is null)
            {
                return null;
            }

            var current = ReadEntry(name, document);
            var updated = _documents.Write(current.Account, _documents.WriteGrant(name, change(current.Grant)), current.Revision + 1);
            _accounts.Update(updated);
            return ReadEntry(name, updated);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ReplaceAllAsync(IReadOnlyList<(Account Account, Grant Grant)> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return ExclusiveAsync(() =>
        {
            // Sealed before the transaction starts: a failure there leaves nothing to roll back.
            var documents = entries.Select(e => _documents.Write(e.Account, _documents.WriteGrant(e.Account.Name, e.Grant), 1)).ToList();
            _database.BeginTrans();
            try
            {
                _accounts.DeleteAll();
                _accounts.InsertBulk(documents);
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }

            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken) =>
        ExclusiveAsync(() => _accounts.Delete(name.Value), cancellationToken);

    /// <summary>Closes the database file, then releases the lock; a key this store read from its source is zeroed.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // An operation in flight (a rekey renaming files) finishes before the lock goes.
        _gate.Wait();
        _disposed = true;
        _database.Dispose();
        _gate.Dispose();
        _lock.Dispose();
        if (KeySource is not null)
        {
            Key.Dispose();
        }
    }

    /// <summary>
    /// Runs one operation at a time. LiteDB binds its transactions to threads and fails under
    /// concurrent use from the thread pool (seen as ObjectDisposedException in its lock service);
    /// accounts are few and small, so one gate costs nothing and makes read-modify-write atomic.
    /// </summary>
    private async Task<T> ExclusiveAsync<T>(Func<T> operation, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_reopen)
            {
                Reopen();
            }

            return operation();
        }
        catch (IOException) when (!_reopen)
        {
            // A failed write (a full disk) leaves LiteDB's engine unusable, reads included. The file
            // holds the last committed state; the next call reopens it, and keeps failing with the
            // same error only while the disk is still full.
            _reopen = true;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops the engine a write failure broke and opens the file again, which rolls back what was not committed.</summary>
    private void Reopen()
    {
        try
        {
            _database.Dispose();
        }
        catch (Exception ex) when (ex is IOException or LiteException or ObjectDisposedException)
        {
            // The broken engine may fail to close; its file is opened anew below.
        }

        Attach(new LiteDatabase(Connection(FilePath)), Key);
        _reopen = false;
    }

    private AccountEntry ReadEntry(AccountName name, BsonDocument document)
    {
        try
        {
            return _documents.Read(document);
        }
        catch (Exception ex) when (ex is SecretUnsealException or InvalidDataException)
        {
            throw new AccountUnreadableException(name, ex);
        }
    }

    /// <summary>
    /// Reads the whole store through overlays that keep LiteDB's writes in memory: even a read-only
    /// LiteDB open truncates a damaged file, and the operator's file must stay exactly as it is.
    /// </summary>
    private static void Verify(string file, MasterKey key)
    {
        var storedKeyId = StoredKeyId(file);
        if (storedKeyId != key.KeyId)
        {
            throw new SetupException(
                $"master key {key.Source} (key id {key.KeyId}) does not open store {file}, which was sealed with key id {storedKeyId}; the store was left untouched: use the key it was created with");
        }
    }

    /// <summary>The id of the key the store file says it is sealed with, read without changing the file.</summary>
    /// <exception cref="SetupException">The file is corrupt or not a TokenBroker store.</exception>
    private static string StoredKeyId(string file)
    {
        string? storedKeyId;
        try
        {
            var length = new FileInfo(file).Length;
            if (length == 0 || length % PageSize != 0)
            {
                throw new InvalidDataException($"its length {length} is not a whole number of {PageSize}-byte pages");
            }

            using var data = OverlayStream.Open(file);
            using var log = OverlayStream.Open(LogFile(file));
            using var database = new LiteDatabase(data, logStream: log);
            storedKeyId = database.GetCollection(MetaCollection).FindById(MetaId)?["key_id"].AsString;
            foreach (var document in database.GetCollection(AccountsCollection).FindAll())
            {
                _ = document["_id"];
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // LiteDB reports damage with many exception types; any failure to read means the file
            // cannot be trusted, and it must be left exactly as it is for the operator.
            throw new SetupException(
                $"store file {file} is corrupt or not a TokenBroker store ({ex.Message}); it was left untouched: restore it from a backup, or move it aside to start empty",
                ex);
        }

        return storedKeyId ?? throw new SetupException(
            $"store file {file} has no TokenBroker metadata; it was left untouched: restore it from a backup, or move it aside to start empty");
    }

    /// <summary>LiteDB's write-ahead log beside the data file (<c>name-log.ext</c>).</summary>
    private static string LogFile(string file) =>
        Path.Combine(Path.GetDirectoryName(file)!, $"{Path.GetFileNameWithoutExtension(file)}-log{Path.GetExtension(file)}");

    private static ConnectionString Connection(string file) => new()
    {
        Filename = file,
        Connection = ConnectionType.Direct,
        Upgrade = false,
    };
}
