using TokenBroker.Core;
using TokenBroker.Core.State;
using TokenBroker.Storage.Postgres;

namespace TokenBroker.Daemon;

/// <summary>
/// The <c>TokenBroker:Storage</c> section: the embedded LiteDB file (the default), or a PostgreSQL
/// database that several daemons share, with its scheduler in the same database.
/// </summary>
internal sealed class StorageOptions
{
    public const string Section = "TokenBroker:Storage";

    /// <summary>The credential file a systemd unit may load the connection string as.</summary>
    public const string CredentialName = "tokenbroker.pgconn";

    /// <summary><c>litedb</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "litedb";

    /// <summary>The PostgreSQL connection string (Npgsql's keywords); a file or credential keeps the password out of the configuration.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A file (mode 0600) whose content is the connection string.</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>The longest a node goes without checking for changes it was not told of (default 5 s).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a node tells the others' schedulers it is alive (default 10 s); a dead node's refreshes move after about twice this.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True for the shared PostgreSQL store.</summary>
    public bool Shared => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks the settings together.</summary>
    /// <exception cref="SetupException">An unknown provider, a missing or doubled connection string, or an interval out of range.</exception>
    public void Check()
    {
        if (!Shared && !string.Equals(Provider, "litedb", StringComparison.OrdinalIgnoreCase))
        {
            throw new SetupException($"{Section}:Provider must be litedb or postgres, not {Provider}");
        }

        if (!Shared && (ConnectionString ?? ConnectionStringFile) is not null)
        {
            throw new SetupException($"{Section}:ConnectionString and ConnectionStringFile are for Provider postgres; the litedb store is a file in the state directory");
        }

        if (Shared && ConnectionString is not null && ConnectionStringFile is not null)
        {
            throw new SetupException($"{Section}: give ConnectionString or ConnectionStringFile, not both");
        }

        if (CheckInterval < TimeSpan.FromMilliseconds(100) || CheckInterval > TimeSpan.FromMinutes(1))
        {
            throw new SetupException($"{Section}:CheckInterval must be 00:00:00.1-00:01:00, not {CheckInterval}");
        }

        if (ClusterCheckinInterval < TimeSpan.FromSeconds(1) || ClusterCheckinInterval > TimeSpan.FromMinutes(5))
        {
            throw new SetupException($"{Section}:ClusterCheckinInterval must be 00:00:01-00:05:00, not {ClusterCheckinInterval}");
        }
    }

    /// <summary>
    /// The connection string: the configured one, else the configured file's content, else the
    /// systemd credential <c>tokenbroker.pgconn</c>; with <c>Application Name</c> <c>tokenbrokerd NODE</c>
    /// unless it gives one, so the database's <c>pg_stat_activity</c> tells the nodes apart.
    /// </summary>
    /// <exception cref="SetupException">None is given, the file is missing, empty or open to others, or the string is malformed.</exception>
    public string ResolveConnectionString(string? credentialsDirectory, string node) =>
        PostgresGrantStore.WithApplicationName(ReadConnectionString(credentialsDirectory), $"tokenbrokerd {node}");

    private string ReadConnectionString(string? credentialsDirectory)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        var file = ConnectionStringFile
            ?? (string.IsNullOrWhiteSpace(credentialsDirectory) ? null : Path.Combine(credentialsDirectory, CredentialName));
        if (file is null || (ConnectionStringFile is null && !File.Exists(file)))
        {
            throw new SetupException($"{Section}:Provider is postgres but no connection string is given: set {Section}:ConnectionStringFile (or ConnectionString, or the systemd credential {CredentialName})");
        }

        try
        {
            PrivateFiles.EnsurePrivate(file, "connection string file");
            var text = File.ReadAllText(file).Trim();
            return text.Length > 0 ? text : throw new SetupException($"connection string file {file} is empty");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SetupException($"cannot read connection string file {file}: {ex.Message}");
        }
    }
}
