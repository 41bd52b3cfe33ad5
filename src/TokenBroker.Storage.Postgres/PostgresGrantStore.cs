using System.Data.Common;
using Npgsql;
using TokenBroker.Core;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Storage.Postgres;

/// <summary>
/// The shared store: accounts and grants in PostgreSQL, for several daemons (relays) that serve the
/// same accounts. Every secret is sealed with the master key exactly as in the embedded store; the
/// database records the key's id, so a node with another key is refused. A hold is the account's
/// row locked <c>FOR UPDATE</c> in a transaction; every commit notifies the other nodes.
/// </summary>
public sealed partial class PostgresGrantStore : IGrantStore, ISealedStore, ISharedStore, ISharedConsents, IAsyncDisposable
{
    private const string Select = $"SELECT {AccountRows.Columns} FROM tokenbroker_accounts";

    /// <summary>How long a hold (or a write) waits for another node's hold of the same account (a refresh may take a minute).</summary>
    private const int HoldWaitSeconds = 150;

    private readonly NpgsqlDataSource _source;
    private readonly SecretSealer _sealer;
    private readonly AccountRows _rows;
    private readonly string _instance = Guid.NewGuid().ToString("N");

    private PostgresGrantStore(NpgsqlDataSource source, MasterKey key)
    {
        _source = source;
        _sealer = new SecretSealer(key);
        _rows = new AccountRows(_sealer);
        Key = key;
        var settings = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        Location = $"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/{settings.Database}";
    }

    /// <inheritdoc />
    public MasterKey Key { get; }

    /// <summary>Where the store is, without the password: <c>postgresql://user@host:port/database</c>.</summary>
    public string Location { get; }

    /// <summary>The schema versions this open applied (none when the database was current).</summary>
    public IReadOnlyList<int> Migrated { get; private init; } = [];

    /// <summary>True when this open recorded the key in a new store.</summary>
    public bool Created { get; private init; }

    /// <summary>True when the store zeroes <see cref="Key"/> as it is disposed (the daemon's key, loaded for it alone).</summary>
    public bool OwnsKey { get; private init; }

    /// <summary>
    /// Connects, applies the schema migrations the database lacks, and checks the master key against
    /// the key id the store records (recording it when the store is new).
    /// </summary>
    /// <exception cref="SetupException">The database refuses (a wrong password, a missing database, no right to create tables), is newer, or holds another key's secrets.</exception>
    /// <exception cref="StoreUnavailableException">The database cannot be reached.</exception>
    public static Task<PostgresGrantStore> OpenAsync(string connectionString, MasterKey key, CancellationToken cancellationToken) =>
        OpenAsync(connectionString, key, ownsKey: false, cancellationToken);

    /// <summary>As <see cref="OpenAsync(string, MasterKey, CancellationToken)"/>; with <paramref name="ownsKey"/>, the store zeroes the key when disposed.</summary>
    /// <exception cref="SetupException">As above.</exception>
    /// <exception cref="StoreUnavailableException">As above.</exception>
    public static async Task<PostgresGrantStore> OpenAsync(string connectionString, MasterKey key, bool ownsKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        NpgsqlDataSource source;
        try
        {
            source = new NpgsqlDataSourceBuilder(WithApplicationName(connectionString, "tokenbrokerd")).Build();
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            // Settings that parse but do not go together (no Host, say); the message quotes none of them.
            throw Malformed();
        }

        try
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            // One transaction under the migration lock: nodes starting at once on an empty database
            // migrate it and record the key one after the other.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var migrated = await PostgresSchema.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            var created = await CheckKeyAsync(connection, key, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresGrantStore(source, key) { Migrated = migrated, Created = created, OwnsKey = ownsKey };
        }
        catch (Exception ex)
        {
            var location = new NpgsqlConnectionStringBuilder(source.ConnectionString);
            await source.DisposeAsync().ConfigureAwait(false);
            var where = $"{location.Host}:{location.Port}/{location.Database}";
            throw ex switch
            {
                SetupException => ex,
                // The server answered with an error: a wrong password, a missing database, no right to create tables.
                PostgresException => new SetupException($"cannot open the PostgreSQL store at {where}: {ex.Message}", ex),
                // No answer: the server may be starting or failing over; a later start can succeed.
                DbException or TimeoutException => new StoreUnavailableException($"cannot reach the PostgreSQL store at {where}: {ex.Message}", ex),
                _ => ex,
            };
        }
    }

    /// <summary>
    /// <paramref name="connectionString"/> with <c>Application Name</c> set to <paramref name="name"/>
    /// unless it names one, so <c>pg_stat_activity</c> shows which node holds which connection.
    /// </summary>
    /// <exception cref="SetupException">The connection string is malformed (the message quotes none of it).</exception>
    public static string WithApplicationName(string connectionString, string name)
    {
        try
        {
            var settings = new NpgsqlConnectionStringBuilder(connectionString);
            settings.ApplicationName ??= name;
            return settings.ConnectionString;
        }
        catch (ArgumentException)
        {
            // Npgsql's message quotes the part it could not read, which may be part of a password.
            throw Malformed();
        }
    }

    private static SetupException Malformed() => new(
        "the PostgreSQL connection string is malformed: a keyword Npgsql does not know, a value it cannot read (quote values that hold ';'), or settings that do not go together (Host is required)");

    /// <inheritdoc />
    public Task<StoreListing> ListAsync(CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        var accounts = new List<AccountEntry>();
        var unreadable = new List<UnreadableAccount>();
        await using var command = new NpgsqlCommand($"{Select} ORDER BY name COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                accounts.Add(_rows.Read(reader, secrets: false));
            }
            catch (AccountUnreadableException ex)
            {
                // One damaged account must not hide the others; it is reported, its data left alone.
                unreadable.Add(new UnreadableAccount(ex.Account, ex.InnerException?.Message ?? ex.Message));
            }
        }

        return new StoreListing(accounts, unreadable);
    }, cancellationToken);

    /// <inheritdoc />
    public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) =>
        RunAsync(connection => FindAsync(connection, name, forUpdate: false, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return InTransactionAsync(async connection =>
        {
            await using var command = new NpgsqlCommand(
                $"""
                INSERT INTO tokenbroker_accounts (name, revision, {AccountRows.AccountColumns}, state)
                VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, '{GrantState.NeedsConsent}')
                ON CONFLICT (name) DO UPDATE SET ({AccountRows.AccountColumns}) =
                    ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17),
                    revision = tokenbroker_accounts.revision + 1
                RETURNING {AccountRows.Columns}
                """,
                connection)
            {
                CommandTimeout = HoldWaitSeconds,
            };
            command.Parameters.Add(new NpgsqlParameter { Value = account.Name.Value });
            _rows.AddAccount(command.Parameters, account);
            var entry = await ReadOneAsync(command, cancellationToken).ConfigureAwait(false);
            await NotifyAsync(connection, "account", account.Name.Value, cancellationToken).ConfigureAwait(false);
            return entry!;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The account's row, locked <c>FOR UPDATE</c> in a transaction that the commit ends.</remarks>
    public async Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken)
    {
        NpgsqlConnection? connection = null;
        NpgsqlTransaction? transaction = null;
        try
        {
            connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (await FindAsync(connection, name, forUpdate: true, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                return new Hold(this, connection, transaction, entry);
            }
        }
        catch (Exception ex)
        {
            // Whatever ended the wait (a cancelled request included), the connection goes back and the row is free.
            await EndAsync(connection, transaction).ConfigureAwait(false);
            if (ex is DbException or TimeoutException)
            {
                throw Unavailable(ex);
            }

            throw;
        }

        await EndAsync(connection, transaction).ConfigureAwait(false);
        return null;
    }

    /// <inheritdoc />
    public async Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var hold = await HoldAsync(name, cancellationToken).ConfigureAwait(false);
        if (hold is null)
        {
            return null;
        }

        await using (hold.ConfigureAwait(false))
        {
            return await hold.CommitAsync(change, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task ReplaceAllAsync(IReadOnlyList<(Account Account, Grant Grant)> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return InTransactionAsync(async connection =>
        {
            await using var batch = new NpgsqlBatch(connection) { Timeout = HoldWaitSeconds };
            batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM tokenbroker_accounts"));
            foreach (var (account, grant) in entries)
            {
                var insert = new NpgsqlBatchCommand(
                    $"""
                    INSERT INTO tokenbroker_accounts (name, revision, {AccountRows.AccountColumns}, {AccountRows.GrantColumns})
                    VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                            $18, $19, $20, $21, $22, $23, $24, $25, $26)
                    """);
                insert.Parameters.Add(new NpgsqlParameter { Value = account.Name.Value });
                _rows.AddAccount(insert.Parameters, account);
                _rows.AddGrant(insert.Parameters, account.Name, grant);
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await NotifyAsync(connection, "account", "*", cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken) => InTransactionAsync(async connection =>
    {
        await using var command = new NpgsqlCommand("DELETE FROM tokenbroker_accounts WHERE name = $1", connection)
        {
            Parameters = { new() { Value = name.Value } },
            CommandTimeout = HoldWaitSeconds,
        };
        var removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        if (removed)
        {
            await NotifyAsync(connection, "account", name.Value, cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// Refused: every node holds the key, and a new one would have to reach them all before any of
    /// them reads a secret sealed with it.
    /// </remarks>
    public Task<KeyChange> RekeyAsync(CancellationToken cancellationToken) => throw new SetupException(
        $"rekey is not available on the shared PostgreSQL store {Location}: every node holds the master key. Take a backup, stop every node, start one with a new key on an empty database and restore the backup into it, then give that key to the others");

    /// <summary>Stops the change feed and closes every pooled connection; zeroes the key it owns.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopFeedAsync().ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
        if (OwnsKey)
        {
            Key.Dispose();
        }
    }

    private static async Task<bool> CheckKeyAsync(NpgsqlConnection connection, MasterKey key, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand("INSERT INTO tokenbroker_store (key_id) VALUES ($1) ON CONFLICT (id) DO NOTHING", connection)
        {
            Parameters = { new() { Value = key.KeyId } },
        };
        var created = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        await using var read = new NpgsqlCommand("SELECT key_id FROM tokenbroker_store", connection);
        var stored = (string)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (stored != key.KeyId)
        {
            throw new SetupException(
                $"master key {key.Source} (key id {key.KeyId}) does not open the PostgreSQL store, which was sealed with key id {stored}; nothing was changed: give this node the key file of the other nodes");
        }

        return created;
    }

    private async Task<AccountEntry?> FindAsync(NpgsqlConnection connection, AccountName name, bool forUpdate, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"{Select} WHERE name = $1{(forUpdate ? " FOR UPDATE" : string.Empty)}", connection)
        {
            Parameters = { new() { Value = name.Value } },
            CommandTimeout = forUpdate ? HoldWaitSeconds : 30,
        };
        return await ReadOneAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AccountEntry?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? _rows.Read(reader) : null;
    }

    /// <summary>Tells every node (this one's feed skips it) that an account or its grant changed; sent when the transaction commits.</summary>
    private async Task NotifyAsync(NpgsqlConnection connection, string kind, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT pg_notify('{ChangeChannel}', $1 || ' ' || nextval('tokenbroker_change') || ' ' || $2 || ' ' || $3)", connection)
        {
            Parameters = { new() { Value = _instance }, new() { Value = kind }, new() { Value = name } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await operation(connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            throw Unavailable(ex);
        }
    }

    private Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, Task<T>> operation, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await operation(connection).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }, cancellationToken);

    private StoreUnavailableException Unavailable(Exception ex) => new($"the PostgreSQL store {Location} is unavailable: {ex.Message}", ex);

    private static async Task EndAsync(NpgsqlConnection? connection, NpgsqlTransaction? transaction)
    {
        try
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed class Hold(PostgresGrantStore store, NpgsqlConnection connection, NpgsqlTransaction transaction, AccountEntry entry) : IGrantHold
    {
        private bool _ended;

        public AccountEntry Entry => entry;

        public async Task<AccountEntry?> CommitAsync(Func<Grant, Grant> change, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(change);
            var name = entry.Account.Name;
            try
            {
                await using var command = new NpgsqlCommand(
                    $"""
                    UPDATE tokenbroker_accounts SET ({AccountRows.GrantColumns}) = ($2, $3, $4, $5, $6, $7, $8, $9, $10),
                        revision = revision + 1
                    WHERE name = $1
                    RETURNING {AccountRows.Columns}
                    """,
                    connection);
                command.Parameters.Add(new NpgsqlParameter { Value = name.Value });
                store._rows.AddGrant(command.Parameters, name, change(entry.Grant));
                var updated = await store.ReadOneAsync(command, cancellationToken).ConfigureAwait(false);
                await store.NotifyAsync(connection, "grant", name.Value, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (Exception ex) when (ex is DbException or TimeoutException)
            {
                throw store.Unavailable(ex);
            }
            finally
            {
                await DisposeAsync().ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            await EndAsync(connection, transaction).ConfigureAwait(false);
        }
    }
}
