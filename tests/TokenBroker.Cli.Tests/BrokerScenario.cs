using System.Text.Json.Nodes;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Core.Storage;
using TokenBroker.Storage;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Cli.Tests;

/// <summary>
/// A real tokenbrokerd process with one account that uses a test authorization server, and the
/// tokenbroker CLI run against its admin socket, as an operator would.
/// </summary>
public sealed class BrokerScenario : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private ChildProcess? _daemon;

    private BrokerScenario(AuthServer server)
    {
        Server = server;
        Layout = new StateLayout(_directory.Combine("state"));
        AdminSocket = _directory.Combine("admin.sock");
    }

    public AuthServer Server { get; }

    public StateLayout Layout { get; }

    public string AdminSocket { get; }

    public string KeyFile => _directory.Combine("tokenbroker.key");

    /// <summary>The daemon's configuration file, for a test to change before a reload.</summary>
    public string ConfigFile => _directory.Combine("tokenbroker.json");

    public ChildProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon is not started");

    /// <summary>Starts the test authorization server and a daemon with account <c>work</c> (generic) and <paramref name="accounts"/>, none consented.</summary>
    public static Task<BrokerScenario> StartAsync(params Account[] accounts) => StartAsync(null, accounts);

    /// <summary>As <see cref="StartAsync(Account[])"/>, with settings for the <c>TokenBroker:Admin</c> section.</summary>
    public static async Task<BrokerScenario> StartAsync(JsonObject? admin, params Account[] accounts)
    {
        var scenario = new BrokerScenario(await AuthServer.StartAsync());
        await scenario.SeedAsync(accounts);
        File.WriteAllText(scenario.ConfigFile, new JsonObject
        {
            ["TokenBroker"] = new JsonObject
            {
                ["StateDirectory"] = scenario.Layout.Directory,
                ["MasterKeyFile"] = scenario.KeyFile,
                [nameof(AdminSocket)] = scenario.AdminSocket,
                ["Admin"] = admin,
            },
        }.ToJsonString());
        await scenario.StartDaemonAsync();
        return scenario;
    }

    /// <summary>Stops the daemon and starts it again on the same configuration; with <paramref name="wipeStore"/> the store is deleted in between.</summary>
    public async Task RestartAsync(bool wipeStore)
    {
        Daemon.Terminate();
        await Daemon.WaitForExitAsync();
        Daemon.Dispose();
        if (wipeStore)
        {
            foreach (var file in Directory.EnumerateFiles(Layout.Directory, "tokenbroker*.db"))
            {
                File.Delete(file);
            }
        }

        await StartDaemonAsync();
    }

    /// <summary>Kills the daemon with SIGKILL, as a crash would, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Daemon.Kill();
        await Daemon.WaitForExitAsync();
        Daemon.Dispose();
        _daemon = null;
    }

    /// <summary>Stops the daemon and returns everything in its store, secrets revealed, one line per account.</summary>
    public async Task<IReadOnlyList<string>> StopAndReadAllAsync()
    {
        Daemon.Terminate();
        await Daemon.WaitForExitAsync();
        Daemon.Dispose();
        _daemon = null;
        using var store = OpenStore();
        return await StoreContents.ReadAsync(store);
    }

    /// <summary>Opens the stopped daemon's store as the daemon does, from its key file (an interrupted rekey finished or undone).</summary>
    public LiteDbGrantStore OpenStore() => LiteDbGrantStore.Open(Layout, new MasterKeySource(KeyFile, CreateIfMissing: false));

    /// <summary>Starts <c>tokenbroker ARGS --admin-socket SOCKET</c>.</summary>
    public ChildProcess Cli(params string[] arguments) => Cli(null, arguments);

    /// <summary>Starts <c>tokenbroker ARGS --admin-socket SOCKET</c> with extra environment variables.</summary>
    public ChildProcess Cli(IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        ChildProcess.Start(BuiltPrograms.Cli, [.. arguments, "--admin-socket", AdminSocket], _directory.Path, environment);

    /// <summary>Runs <c>tokenbroker ARGS</c>, which must succeed, and returns its standard output.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        using var cli = Cli(arguments);
        var code = await cli.WaitForExitAsync();
        Assert.True(code == 0, $"tokenbroker {string.Join(' ', arguments)} exited {code}:\n{cli.Output}");
        return string.Join('\n', cli.Stdout);
    }

    /// <summary>Gives an account a grant through <c>tokenbroker consent --no-browser</c>, as an operator would.</summary>
    public async Task ConsentAsync(string account = "work")
    {
        using var cli = Cli("consent", account, "--no-browser");
        await cli.WaitForLineAsync("Waiting for the browser");
        var callback = await Server.FollowAuthorizationAsync(new Uri(cli.Stdout.First()));
        using var browser = new HttpClient();
        await browser.GetStringAsync(callback);
        if (await cli.WaitForExitAsync() != 0)
        {
            throw new InvalidOperationException($"consent failed:\n{cli.Output}");
        }
    }

    /// <summary>Stops the daemon and reads the account back from the store.</summary>
    public async Task<AccountEntry> StopAndReadAsync()
    {
        Daemon.Terminate();
        await Daemon.WaitForExitAsync();
        using var key = MasterKeyFile.Load(KeyFile);
        using var store = LiteDbGrantStore.Open(Layout, key);
        return (await store.FindAsync(AccountName.Parse("work"), CancellationToken.None))!;
    }

    /// <summary>Starts the daemon on the scenario's configuration and waits until it is ready.</summary>
    /// <param name="underNohup">Start it through <c>nohup</c>, which leaves it with SIGHUP ignored.</param>
    public async Task StartDaemonAsync(bool underNohup = false)
    {
        _daemon = underNohup
            ? ChildProcess.StartProgram("nohup", ["dotnet", BuiltPrograms.Daemon, "--config", ConfigFile], _directory.Path)
            : ChildProcess.Start(BuiltPrograms.Daemon, ["--config", ConfigFile], _directory.Path);
        await _daemon.WaitForLineAsync("tokenbrokerd ready");
    }

    public async ValueTask DisposeAsync()
    {
        _daemon?.Dispose();
        await Server.DisposeAsync();
        _directory.Dispose();
    }

    private async Task SeedAsync(Account[] accounts)
    {
        using var key = MasterKeyFile.Create(KeyFile);
        using var store = LiteDbGrantStore.Open(Layout, key);
        foreach (var account in accounts)
        {
            await store.SaveAccountAsync(account, CancellationToken.None);
        }

        await store.SaveAccountAsync(new Account
        {
            Name = AccountName.Parse("work"),
            Provider = new ProviderProfile { Kind = ProviderKind.Generic, Issuer = Server.BaseUri },
            Username = AuthServer.User,
            Scopes = ["mail", "offline_access"],
            ClientId = AuthServer.PublicClient,
        }, CancellationToken.None);
    }
}
