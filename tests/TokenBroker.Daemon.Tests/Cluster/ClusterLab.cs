using System.Globalization;
using System.Text.RegularExpressions;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Storage.Postgres;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Cluster;

/// <summary>
/// Relays that share one PostgreSQL database: each node is a <c>tokenbrokerd</c> process with its
/// own state directory, Postfix socket and consent port, and one master key file between them. The
/// lab reads the database itself through a store of its own, and asks each node's socketmap.
/// </summary>
internal sealed partial class ClusterLab : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly List<(string Node, ChildProcess Process)> _processes = [];
    private readonly string _keyFile;
    private readonly string _connectionString;

    private ClusterLab(AuthServer server, string connectionString, PostgresGrantStore store, string keyFile)
    {
        Server = server;
        Store = store;
        _connectionString = connectionString;
        _keyFile = keyFile;
    }

    public AuthServer Server { get; }

    /// <summary>The lab's own view of the shared store.</summary>
    public PostgresGrantStore Store { get; }

    /// <summary>Node <paramref name="name"/>'s process (the latest one after a restart).</summary>
    public ChildProcess Node(string name) => _processes.Last(p => p.Node == name).Process;

    /// <summary>Creates the cluster key and the lab's store on <paramref name="connectionString"/>.</summary>
    public static async Task<ClusterLab> CreateAsync(AuthServer server, string connectionString)
    {
        var keyFile = Path.Combine(Path.GetTempPath(), "tokenbroker-cluster-" + Guid.NewGuid().ToString("N")[..8] + ".key");
        var key = MasterKeyFile.Create(keyFile);
        var store = await PostgresGrantStore.OpenAsync(connectionString, key, CancellationToken.None);
        return new ClusterLab(server, connectionString, store, keyFile);
    }

    /// <summary>The match key (sender address) of account <paramref name="index"/>.</summary>
    public static string Sender(int index) => $"sender{index}@example.test";

    /// <summary>Adds <paramref name="count"/> accounts and gives each the consent a browser would, straight into the store.</summary>
    public async Task AddConsentedAccountsAsync(int count)
    {
        using var http = new HttpClient(Server.ClientHandler());
        var client = new CodeFlowClient(http, new EndpointResolver(http, TimeProvider.System), TimeProvider.System);
        var redirect = new Uri("http://127.0.0.1:41999/callback");
        for (var i = 0; i < count; i++)
        {
            var account = await AddAccountAsync(i);
            var session = (await client.BeginConsentAsync(account, redirect, CancellationToken.None)).Value!;
            var tokens = (await session.CompleteAsync(await Server.FollowAuthorizationAsync(session.AuthorizationUri), CancellationToken.None)).Value!;
            await Store.UpdateGrantAsync(account.Name, grant => GrantUpdates.Issued(grant, tokens, "lab"), CancellationToken.None);
        }
    }

    /// <summary>Adds account <paramref name="index"/> (<c>account{index}</c>, sender <see cref="Sender"/>) without a grant.</summary>
    public async Task<Account> AddAccountAsync(int index)
    {
        var account = new Account
        {
            Name = AccountName.Parse($"account{index}"),
            Provider = new ProviderProfile { Kind = ProviderKind.Generic, Issuer = Server.BaseUri },
            Username = AuthServer.User,
            Scopes = ["mail", "offline_access"],
            ClientId = AuthServer.PublicClient,
            MatchKeys = [Sender(index)],
        };
        await Store.SaveAccountAsync(account, CancellationToken.None);
        return account;
    }

    /// <summary>Starts node <paramref name="name"/> (again, after a kill) and waits until it is ready.</summary>
    public async Task StartNodeAsync(string name)
    {
        var directory = _directory.Combine(name);
        Directory.CreateDirectory(directory);
        var connection = Path.Combine(directory, "pgconn");
        await File.WriteAllTextAsync(connection, _connectionString);
        File.SetUnixFileMode(connection, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = Path.Combine(directory, "tokenbroker.json");
        await File.WriteAllTextAsync(config, $$"""
            {"TokenBroker": {
              "StateDirectory": "{{directory}}/state", "NodeName": "{{name}}", "MasterKeyFile": "{{_keyFile}}",
              "Storage": {"Provider": "postgres", "ConnectionStringFile": "{{connection}}", "CheckInterval": "00:00:01", "ClusterCheckinInterval": "00:00:02"},
              "Postfix": {"Socket": "{{directory}}/postfix.sock"}
            }
            }
            """);
        var process = ChildProcess.Start(BuiltPrograms.Daemon, ["--config", config], directory);
        _processes.Add((name, process));
        await process.WaitForLineAsync("tokenbrokerd ready", TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Runs <c>tokenbroker consent ACCOUNT --no-browser</c> against node <paramref name="node"/> and plays the
    /// browser at the provider; returns the waiting CLI and the callback the provider redirected to.
    /// </summary>
    public async Task<(ChildProcess Cli, Uri Callback)> BeginConsentAsync(string node, Account account)
    {
        var cli = ChildProcess.Start(BuiltPrograms.Cli, ["consent", account.Name.Value, "--no-browser", "--admin-socket", AdminSocket(node)], Path.GetTempPath());
        await cli.WaitForLineAsync("Waiting for the browser");
        return (cli, await Server.FollowAuthorizationAsync(new Uri(cli.Stdout.First())));
    }

    /// <summary>Runs <c>tokenbroker ARGUMENTS</c> against node <paramref name="node"/> and waits for it.</summary>
    public Task<CommandResult> CliAsync(string node, params string[] arguments) =>
        Command.RunAsync("dotnet", [BuiltPrograms.Cli, .. arguments, "--admin-socket", AdminSocket(node)]);

    /// <summary>The admin socket of node <paramref name="name"/>, for the CLI.</summary>
    private string AdminSocket(string name) => _directory.Combine(name, "state", "admin.sock");

    /// <summary>The consent callback of node <paramref name="name"/>, from its ready line.</summary>
    public Uri Callback(string name) =>
        new(ConsentCallback().Match(Node(name).Output).Groups[1].Value);

    /// <summary>The Postfix socket of node <paramref name="name"/>.</summary>
    public string Socket(string name) => _directory.Combine(name, "postfix.sock");

    /// <summary>Node <paramref name="name"/>'s answer for account <paramref name="index"/>: its access token, or the whole reply when it is not OK.</summary>
    public async Task<(bool Ok, string Reply)> AskAsync(string name, int index)
    {
        using var client = await SocketmapClient.ConnectAsync(Socket(name));
        var reply = await client.AskAsync("sasl", Sender(index));
        var prefix = $"OK {AuthServer.User}:";
        return reply.StartsWith(prefix, StringComparison.Ordinal) ? (true, reply[prefix.Length..]) : (false, reply);
    }

    /// <summary>Every "account refreshed" line of every node process, past and present: (when, node, account).</summary>
    public IReadOnlyList<(DateTimeOffset At, string Node, string Account)> Refreshes()
    {
        var refreshes = new List<(DateTimeOffset, string, string)>();
        foreach (var (node, process) in _processes)
        {
            foreach (var line in process.Stdout)
            {
                if (RefreshedLine().Match(line) is { Success: true } match)
                {
                    refreshes.Add((DateTimeOffset.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), node, match.Groups[2].Value));
                }
            }
        }

        return refreshes;
    }

    /// <summary>
    /// The nodes holding an account's row for a refresh right now, told apart by the application name
    /// each node gives its connections (<c>tokenbrokerd NODE</c>).
    /// </summary>
    public async Task<string[]> HoldersAsync() => await PostgresSql.ScalarAsync<string[]>(_connectionString, """
        SELECT coalesce(array_agg(substr(application_name, length('tokenbrokerd ') + 1)), '{}') FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%tokenbroker_accounts%FOR UPDATE'
        """);

    /// <summary>Everything every node process wrote.</summary>
    public string AllOutput => string.Join('\n', _processes.Select(p => p.Process.Output));

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in _processes)
        {
            process.Dispose();
        }

        var key = Store.Key;
        await Store.DisposeAsync();
        key.Dispose();
        File.Delete(_keyFile);
        _directory.Dispose();
    }

    [GeneratedRegex(@"consent callback (http://\S+/callback);")]
    private static partial Regex ConsentCallback();

    [GeneratedRegex(@"^(\S+Z) info: TokenBroker\.Daemon\.Refresh\.RefreshCoordinator\[3001\] Account (\S+) refreshed;")]
    private static partial Regex RefreshedLine();
}
