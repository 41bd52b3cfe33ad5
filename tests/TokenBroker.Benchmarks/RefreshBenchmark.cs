using System.Diagnostics;
using System.Text.Json.Nodes;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Benchmarks;

/// <summary>What one run measured.</summary>
internal sealed record RefreshFigures(
    string Provider,
    int Accounts,
    TimeSpan Seeding,
    TimeSpan ColdToFresh,
    int PeakConcurrentRefreshes,
    TimeSpan CpuPerRefresh,
    TimeSpan WarmCpuPerRefresh,
    double RssAtReadyMiB,
    double PeakRssAtReadyMiB,
    double PeakRssMiB,
    double RssAtEndMiB);

/// <summary>
/// Seeds a store with accounts whose tokens have all expired, starts the real tokenbrokerd on it,
/// and measures until every account holds a fresh token.
/// </summary>
internal static class RefreshBenchmark
{
    public static async Task<RefreshFigures> RunAsync(string provider, int accounts)
    {
        using var directory = new TempDirectory();
        var layout = new StateLayout(directory.Combine("state"));
        await using var source = await TokenSource.StartAsync(provider);
        var seeding = Stopwatch.StartNew();
        await BenchStore.SeedAsync(layout, Enumerable.Range(0, accounts).Select(i => new Account
        {
            Name = AccountName.Parse($"bench{i:D5}"),
            Provider = source.Profile,
            Username = AuthServer.User,
            Scopes = ["mail", "offline_access"],
            ClientId = AuthServer.PublicClient,
        }), source.ExpiredGrant);
        seeding.Stop();

        var config = directory.Combine("tokenbroker.json");
        File.WriteAllText(config, new JsonObject
        {
            ["TokenBroker"] = new JsonObject { ["StateDirectory"] = layout.Directory, ["AdminSocket"] = directory.Combine("admin.sock") },
        }.ToJsonString());
        var clock = Stopwatch.StartNew();
        using var daemon = ChildProcess.Start(BuiltPrograms.Daemon, ["--config", config], directory.Path, UnitEnvironment());
        await daemon.WaitForLineAsync("tokenbrokerd ready", TimeSpan.FromMinutes(5));
        var cpuAtReady = ProcessFigures.CpuTime(daemon.Id);
        var rssAtReady = ProcessFigures.RssMiB(daemon.Id);
        var peakAtReady = ProcessFigures.PeakRssMiB(daemon.Id);
        var requestsAtReady = source.Requests;
        (TimeSpan Cpu, int Requests)? halfway = null;
        while (Refreshed(daemon) < accounts)
        {
            if (halfway is null && source.Requests - requestsAtReady >= accounts / 2)
            {
                halfway = (ProcessFigures.CpuTime(daemon.Id), source.Requests);
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException($"only {Refreshed(daemon)} of {accounts} accounts refreshed after 30 minutes");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }

        var coldToFresh = clock.Elapsed;
        var cpuAtEnd = ProcessFigures.CpuTime(daemon.Id);
        var measured = Math.Max(1, source.Requests - requestsAtReady);
        var warm = halfway is { } half ? (cpuAtEnd - half.Cpu) / Math.Max(1, source.Requests - half.Requests) : TimeSpan.Zero;
        var peakRss = ProcessFigures.PeakRssMiB(daemon.Id);
        var rssAtEnd = ProcessFigures.RssMiB(daemon.Id);
        daemon.Terminate();
        await daemon.WaitForExitAsync(TimeSpan.FromMinutes(1));
        return new RefreshFigures(provider, accounts, seeding.Elapsed, coldToFresh, source.PeakConcurrent, (cpuAtEnd - cpuAtReady) / measured, warm, rssAtReady, peakAtReady, peakRss, rssAtEnd);
    }

    /// <summary>The <c>Environment=</c> settings of systemd/tokenbroker.service, so the daemon runs as installed.</summary>
    public static IReadOnlyDictionary<string, string?> UnitEnvironment()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "systemd", "tokenbroker.service")))
        {
            directory = directory.Parent;
        }

        var unit = directory is null ? throw new FileNotFoundException("systemd/tokenbroker.service not found above " + AppContext.BaseDirectory) : Path.Combine(directory.FullName, "systemd", "tokenbroker.service");
        return File.ReadLines(unit)
            .Where(line => line.StartsWith("Environment=", StringComparison.Ordinal))
            .Select(line => line["Environment=".Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => (string?)pair[1]);
    }

    private static int Refreshed(ChildProcess daemon) => daemon.Stdout.Count(l => l.Contains(" refreshed; ", StringComparison.Ordinal));
}

/// <summary>The provider a run refreshes against, and one grant that every seeded account shares.</summary>
internal sealed class TokenSource : IAsyncDisposable
{
    private readonly AuthServer? _server;
    private readonly InstantProvider? _instant;

    private TokenSource(AuthServer? server, InstantProvider? instant, ProviderProfile profile, Grant grant)
    {
        _server = server;
        _instant = instant;
        Profile = profile;
        ExpiredGrant = grant;
    }

    public ProviderProfile Profile { get; }

    public Grant ExpiredGrant { get; }

    public int Requests => _server?.TokenRequests ?? _instant!.Requests;

    public int PeakConcurrent => _server?.PeakConcurrentTokenRequests ?? 0;

    public static async Task<TokenSource> StartAsync(string provider)
    {
        var past = TimeProvider.System.GetUtcNow().AddHours(-2);
        if (provider == "instant")
        {
            var instant = await InstantProvider.StartAsync();
            var profile = new ProviderProfile { Kind = ProviderKind.Generic, AuthorizationEndpoint = new Uri(instant.TokenEndpoint, "/authorize"), TokenEndpoint = instant.TokenEndpoint };
            return new TokenSource(null, instant, profile, Expired(past, Secret.FromText("instant-refresh-token")));
        }

        // Google-like: refresh tokens do not rotate, so one consent serves every seeded account.
        var server = await AuthServer.StartAsync(new AuthServerOptions { RotateRefreshTokens = false });
        var generic = new ProviderProfile { Kind = ProviderKind.Generic, Issuer = server.BaseUri };
        using var http = new HttpClient();
        var client = new CodeFlowClient(http, new EndpointResolver(http, TimeProvider.System), TimeProvider.System);
        var account = new Account { Name = AccountName.Parse("seed"), Provider = generic, Username = AuthServer.User, Scopes = ["mail", "offline_access"], ClientId = AuthServer.PublicClient };
        var session = (await client.BeginConsentAsync(account, new Uri("http://127.0.0.1:41999/callback"), CancellationToken.None)).Value!;
        var tokens = (await session.CompleteAsync(await server.FollowAuthorizationAsync(session.AuthorizationUri), CancellationToken.None)).Value!;
        return new TokenSource(server, null, generic, Expired(past, tokens.RefreshToken!));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_instant is not null)
        {
            await _instant.DisposeAsync();
        }
    }

    private static Grant Expired(DateTimeOffset issuedAt, Secret refreshToken) => new()
    {
        State = GrantState.Active,
        RefreshToken = refreshToken,
        AccessToken = Secret.FromText("expired-access-token"),
        IssuedAt = issuedAt,
        LastRefresh = issuedAt,
        ExpiresAt = issuedAt.AddHours(1),
    };
}
