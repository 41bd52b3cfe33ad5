using Npgsql;
using TokenBroker.Core;

namespace TokenBroker.Storage.Postgres;

/// <summary>
/// The store's tables, as numbered migrations applied in order at start. Each daemon of a cluster
/// may start at once: an advisory lock lets one migrate while the others wait, then find nothing to
/// do. A database migrated by a newer TokenBroker is refused, never altered.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>A key for <c>pg_advisory_xact_lock</c> no other program is likely to take ("TB" and 1).</summary>
    private const long MigrationLock = 0x5442_0001;

    /// <summary>Every migration, oldest first; a released one is never edited, only followed.</summary>
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Migrations =
    [
        (1, "accounts with their sealed grants, the store's key id, the change counter", """
            CREATE TABLE tokenbroker_store (
                id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                key_id text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE SEQUENCE tokenbroker_change;
            CREATE TABLE tokenbroker_accounts (
                name text PRIMARY KEY,
                revision bigint NOT NULL,
                username text NOT NULL,
                provider_kind text NOT NULL,
                tenant text,
                issuer text,
                authorization_endpoint text,
                token_endpoint text,
                device_endpoint text,
                revocation_endpoint text,
                match_keys text[] NOT NULL,
                scopes text[] NOT NULL,
                client_id text,
                client_secret bytea,
                token_file_path text,
                token_file_owner text,
                token_file_group text,
                token_file_mode integer,
                state text NOT NULL,
                refresh_token bytea,
                msal_cache bytea,
                access_token bytea,
                expires_at timestamptz,
                issued_at timestamptz,
                last_refresh timestamptz,
                last_error text,
                refreshed_by text
            );
            """),
        (2, "pending browser consents, so the browser may return to any node", """
            CREATE TABLE tokenbroker_consents (
                state_hash bytea PRIMARY KEY,
                account text NOT NULL,
                redirect_uri text,
                pkce_verifier bytea,
                expires_at timestamptz NOT NULL,
                started_by text NOT NULL,
                taken_by text,
                status_code integer,
                title text,
                message text
            );
            """),
    ];

    /// <summary>The newest schema version this build knows.</summary>
    public static int Latest => Migrations[^1].Version;

    /// <summary>
    /// Applies the migrations the database lacks, in the caller's transaction, after taking the
    /// migration lock, which the transaction holds until it ends.
    /// </summary>
    /// <returns>The versions applied now (none when the schema was current).</returns>
    /// <exception cref="SetupException">The database holds a newer schema than this build knows.</exception>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, $"""
            SELECT pg_advisory_xact_lock({MigrationLock});
            CREATE TABLE IF NOT EXISTS tokenbroker_schema (
                version integer PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM tokenbroker_schema", connection);
        var current = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (current > Latest)
        {
            throw new SetupException(
                $"the PostgreSQL store has schema version {current}, newer than this TokenBroker knows ({Latest}): a newer TokenBroker migrated it; run that version on every node");
        }

        var applied = new List<int>();
        foreach (var (version, description, sql) in Migrations.Where(m => m.Version > current))
        {
            await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO tokenbroker_schema (version, description) VALUES ($1, $2)", connection)
            {
                Parameters = { new() { Value = version }, new() { Value = description } },
            };
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(version);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
