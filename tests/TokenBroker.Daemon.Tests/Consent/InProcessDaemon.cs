using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Consent;

/// <summary>
/// The real daemon app (Kestrel on 127.0.0.1:0, LiteDB in a temp directory) in this process, on a
/// fake clock, with every log line collected.
/// </summary>
public sealed class InProcessDaemon : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private bool _stopped;

    private InProcessDaemon(WebApplication app, TempDirectory directory, string stateDirectory, SteppingClock clock)
    {
        App = app;
        _directory = directory;
        StateDirectory = stateDirectory;
        Clock = clock;
        Logs = app.Services.GetFakeLogCollector();
    }

    public WebApplication App { get; }

    public string StateDirectory { get; }

    /// <summary>The socket of the Postfix lookup service.</summary>
    public string PostfixSocket => Path.Combine(StateDirectory, "postfix.sock");

    public SteppingClock Clock { get; }

    /// <summary>How many refreshes are waiting for the fake clock to move (a provider slow on that clock); none by default.</summary>
    public Func<int> WaitingOnClock { get; set; } = () => 0;

    public FakeLogCollector Logs { get; }

    public IGrantStore Store => App.Services.GetRequiredService<IGrantStore>();

    internal ConsentCoordinator Coordinator => App.Services.GetRequiredService<ConsentCoordinator>();

    internal LoopbackEndpoint Endpoint => App.Services.GetRequiredService<LoopbackEndpoint>();

    /// <summary>Every log message so far, one per line.</summary>
    public string LogText => string.Join('\n', Logs.GetSnapshot().Select(r => r.Message));

    /// <summary>An HTTP client that talks to the daemon's admin socket (base address <c>http://localhost/</c>).</summary>
    public HttpClient AdminClient()
    {
        var socket = Path.Combine(StateDirectory, "admin.sock");
        return new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var connection = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await connection.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), token);
                return new System.Net.Sockets.NetworkStream(connection, ownsSocket: true);
            },
        })
        {
            BaseAddress = new Uri("http://localhost/"),
        };
    }

    public static async Task<InProcessDaemon> StartAsync(
        IDictionary<string, string?>? settings = null,
        HttpMessageHandler? providerHandler = null,
        TimeSpan? providerTimeout = null)
    {
        var directory = new TempDirectory();
        var clock = new SteppingClock(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        // A given state directory (a daemon started again on another's state) wins over the temporary one.
        var overrides = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        overrides.TryAdd("TokenBroker:StateDirectory", directory.Combine("state"));
        var app = DaemonApp.Build(null, overrides, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            if (providerHandler is not null || providerTimeout is not null)
            {
                services.AddSingleton(new HttpClient(providerHandler ?? new SocketsHttpHandler()) { Timeout = providerTimeout ?? TimeSpan.FromSeconds(100) });
            }

            services.AddLogging(logging => logging.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        });
        await app.OpenStoreAsync();
        await app.StartAsync();
        return new InProcessDaemon(app, directory, overrides["TokenBroker:StateDirectory"]!, clock);
    }

    /// <summary>Adds an account that uses <paramref name="server"/>: generic by discovery, or microsoft at its Entra-shaped authority.</summary>
    public async Task<Account> AddAccountAsync(
        AuthServer server, string name = "work", ProviderKind kind = ProviderKind.Generic, IReadOnlyList<string>? matchKeys = null, TokenFileSettings? tokenFile = null)
    {
        var account = new Account
        {
            Name = AccountName.Parse(name),
            Provider = kind == ProviderKind.Microsoft
                ? new ProviderProfile { Kind = kind, Issuer = server.Authority("organizations") }
                : new ProviderProfile { Kind = kind, Issuer = server.BaseUri },
            Username = AuthServer.User,
            Scopes = ["mail", "offline_access"],
            ClientId = AuthServer.PublicClient,
            MatchKeys = matchKeys ?? [],
            TokenFile = tokenFile,
        };
        await Store.SaveAccountAsync(account, CancellationToken.None);
        return account;
    }

    /// <summary>Adds an account and completes its consent through the daemon, as a browser would.</summary>
    public async Task<AccountEntry> ConsentAsync(AuthServer server, string name = "work", IReadOnlyList<string>? matchKeys = null, TokenFileSettings? tokenFile = null)
    {
        var account = await AddAccountAsync(server, name, matchKeys: matchKeys, tokenFile: tokenFile);
        var begun = (await Coordinator.StartAsync(account.Name, CancellationToken.None))!;
        var started = begun.Value ?? throw new InvalidOperationException($"consent of {name} did not start: {begun.Failure}");
        var outcome = await Coordinator.CompleteAsync(await server.FollowAuthorizationAsync(started.AuthorizationUri), CancellationToken.None);
        if (outcome.StatusCode != 200)
        {
            throw new InvalidOperationException($"consent of {name} failed: {outcome.StatusCode}");
        }

        return (await Store.FindAsync(account.Name, CancellationToken.None))!;
    }

    /// <summary>A browser that does not follow redirects and sends whatever Host header it is given.</summary>
    public static HttpClient Browser() => new(new SocketsHttpHandler { AllowAutoRedirect = false });

    /// <summary>Stops the daemon and closes its store; the state directory stays until disposal, for a daemon process to use.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>Stops the daemon and removes its directory; fails when a log line or logged exception holds an issued secret (see <see cref="SecretLedger"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _directory.Dispose();
        }

        SecretLedger.AssertNoneIn(string.Join('\n', Logs.GetSnapshot().Select(r => $"{r.Message}\n{r.Exception}")), "the daemon's log");
    }
}
