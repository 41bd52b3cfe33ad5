using System.Security.Cryptography;

namespace TokenBroker.TestUtils;

/// <summary>
/// A private PostgreSQL server from Debian's packages: its own data directory, on 127.0.0.1 and a
/// free port, run as the postgres user (PostgreSQL refuses root), with a random superuser password
/// that the secret scan looks for. Stopped and started again by the outage tests.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static int _databases;
    private readonly TempDirectory _directory = new();

    private PostgresServer(int port, string password)
    {
        Port = port;
        Password = password;
    }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The password of the <c>postgres</c> superuser.</summary>
    public string Password { get; }

    private string DataDirectory => _directory.Combine("data");

    /// <summary>Creates a cluster with initdb and starts it.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed (CI installs Debian's postgresql).</exception>
    public static async Task<PostgresServer> StartAsync()
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        SecretLedger.Add(password);
        var server = new PostgresServer(FreePorts.Take(1)[0], password);
        await server.InitializeAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await server.StartAgainAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another program may have bound the port since it was free: take another.
                server.Port = FreePorts.Take(1)[0];
            }
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database={database};Timeout=5";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"tokenbroker_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        await PostgresSql.ExecuteAsync(ConnectionString("postgres"), $"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    /// <summary>Stops the server at once (fast shutdown: connected clients are cut off).</summary>
    public Task StopAsync() => PgCtlAsync("stop", "-m", "fast");

    /// <summary>Starts the stopped server again on the same port.</summary>
    /// <exception cref="InvalidOperationException">It did not start; the message ends with the server's log.</exception>
    public async Task StartAgainAsync()
    {
        var log = _directory.Combine("data", "server.log");
        try
        {
            await PgCtlAsync("start", "-l", log, "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {DataDirectory} -c fsync=off -c max_connections=300");
        }
        catch (InvalidOperationException ex)
        {
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "(no server log)";
            throw new InvalidOperationException($"{ex.Message}\nserver log:\n{tail}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgCtlAsync("stop", "-m", "immediate");
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private static string Binaries =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(Directory.Exists).Max(StringComparer.Ordinal)
                ?? throw new InvalidOperationException("no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql")
            : throw new InvalidOperationException("PostgreSQL is not installed: apt-get install postgresql");

    private async Task InitializeAsync()
    {
        var passwordFile = _directory.Combine("password");
        await File.WriteAllTextAsync(passwordFile, Password);
        await RunAsync("chown", "-R", "postgres:postgres", _directory.Path);
        await AsPostgresAsync(
            Path.Combine(Binaries, "initdb"), "-D", DataDirectory, "-U", "postgres", "--pwfile", passwordFile,
            "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions");
        File.Delete(passwordFile);
    }

    private Task PgCtlAsync(params string[] arguments) =>
        AsPostgresAsync([Path.Combine(Binaries, "pg_ctl"), "-D", DataDirectory, "-w", "-t", "60", .. arguments]);

    private static Task AsPostgresAsync(params string[] command) =>
        RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", .. command]);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var result = await Command.RunAsync(program, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {result}");
        }
    }
}
