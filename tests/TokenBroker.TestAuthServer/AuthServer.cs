using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using TokenBroker.TestUtils;

namespace TokenBroker.TestAuthServer;

/// <summary>
/// OpenIddict on 127.0.0.1 with EF Core stores on an in-memory SQLite database: codes are single
/// use, refresh tokens rotate (or not), revocation sticks, the device flow works, and introspection
/// answers Dovecot. Generic paths live under <c>connect/</c>; Entra-shaped paths under
/// <c>{tenant}/oauth2/v2.0/</c>.
/// </summary>
public sealed class AuthServer : IAsyncDisposable
{
    public const string User = "alice@example.test";
    public const string PublicClient = "tokenbroker";
    public const string ConfidentialClient = "tokenbroker-confidential";
    public const string ConfidentialSecret = "confidential-secret-for-tests";
    public const string IntrospectionClient = "dovecot";
    public const string IntrospectionSecret = "dovecot-secret-for-tests";

    private readonly WebApplication _app;
    private readonly SqliteConnection _keepAlive;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private int _concurrentTokenRequests;
    private int _peakConcurrentTokenRequests;
    private int _slowTokenRequests;

    private AuthServer(WebApplication app, SqliteConnection keepAlive, AuthServerOptions options, X509Certificate2? authority)
    {
        _app = app;
        _keepAlive = keepAlive;
        Options = options;
        CertificateAuthority = authority;
    }

    public AuthServerOptions Options { get; }

    /// <summary>While set, every token request gets this fault (a provider outage); null answers normally.</summary>
    public Fault? Outage { get; set; }

    /// <summary>The clock that times <see cref="Fault.Slow"/> and <see cref="TokenRequestTimes"/>: a daemon's fake clock, say.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>How long a <see cref="Fault.Slow"/> answer takes (30 s).</summary>
    public TimeSpan SlowBy { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait a <see cref="Fault.TooManyRequests"/> answer asks for (7 s).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(7);

    /// <summary>When each token request arrived, on <see cref="Clock"/>.</summary>
    public ConcurrentQueue<DateTimeOffset> TokenRequestTimes { get; } = new();

    /// <summary>Token requests waiting out <see cref="SlowBy"/> right now.</summary>
    public int SlowTokenRequests => Volatile.Read(ref _slowTokenRequests);

    /// <summary>Token requests received so far, answered or not.</summary>
    public int TokenRequests => TokenRequestTimes.Count;

    /// <summary>Every refresh token presented at the token endpoint, in order, with when (on <see cref="Clock"/>).</summary>
    public ConcurrentQueue<(DateTimeOffset At, string RefreshToken)> RefreshTokensPresented { get; } = new();

    /// <summary>The most token requests that were being handled at one moment.</summary>
    public int PeakConcurrentTokenRequests => Volatile.Read(ref _peakConcurrentTokenRequests);

    /// <summary>The server's base address and issuer, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The test CA that signed the HTTPS certificate, when <see cref="AuthServerOptions.Https"/> is set.</summary>
    public X509Certificate2? CertificateAuthority { get; }

    /// <summary>Every code and token issued so far.</summary>
    public IssuedValues Issued => _app.Services.GetRequiredService<IssuedValues>();

    public Uri AuthorizationEndpoint => new(BaseUri, "connect/authorize");

    public Uri TokenEndpoint => new(BaseUri, "connect/token");

    public Uri DeviceEndpoint => new(BaseUri, "connect/device");

    public Uri VerificationEndpoint => new(BaseUri, "connect/verify");

    public Uri IntrospectionEndpoint => new(BaseUri, "connect/introspect");

    public Uri RevocationEndpoint => new(BaseUri, "connect/revoke");

    /// <summary>An Entra-shaped authority, e.g. <c>https://127.0.0.1:40123/organizations/</c>.</summary>
    public Uri Authority(string tenant) => new(BaseUri, tenant + "/");

    public static async Task<AuthServer> StartAsync(AuthServerOptions? options = null)
    {
        options ??= new AuthServerOptions();
        SecretLedger.Add(ConfidentialSecret);
        SecretLedger.Add(IntrospectionSecret);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var (authority, certificate) = options.Https ? TestCertificates.Create() : (null, null);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));

        // One open connection keeps the named in-memory database alive; each context opens its own.
        var database = $"Data Source=tokenbroker-auth-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
        var keepAlive = new SqliteConnection(database);
        keepAlive.Open();
        builder.Services.AddSingleton<IssuedValues>();
        builder.Services.AddDbContext<AuthDbContext>(db => db.UseSqlite(database).UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthDbContext>())
            .AddServer(server => AuthServerSetup.Configure(server, options));

        var app = builder.Build();
        var result = new AuthServer(app, keepAlive, options, authority);
        app.Use(result.CountTokenRequestsAsync);
        app.UseAuthentication();
        AuthServerPages.Map(app, options);
        await result.SeedAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        result.BaseUri = new Uri(address.TrimEnd('/') + "/");
        await result.WarmUpAsync();
        return result;
    }

    /// <summary>
    /// Waits until token requests have taken every fault queued by <see cref="Fail"/>, so a test acts while the
    /// provider misbehaves and not before the request reached it (a fault left queued would hit the next test).
    /// </summary>
    public async Task WaitForFaultsTakenAsync(TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(30);
        var started = TimeProvider.System.GetTimestamp();
        while (!_faults.IsEmpty)
        {
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException($"no token request took the queued fault within {limit}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }
    }

    /// <summary>The next <paramref name="times"/> token requests get <paramref name="fault"/> instead of an answer.</summary>
    public void Fail(Fault fault, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue(fault);
        }
    }

    /// <summary>Revokes every authorization of <see cref="User"/>, as a password change or a revoked consent would.</summary>
    public async Task RevokeUserAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        await authorizations.RevokeBySubjectAsync(User);
    }

    /// <summary>Revokes one token at the revocation endpoint (RFC 7009), as a user removing one app's access would.</summary>
    public async Task RevokeTokenAsync(string token)
    {
        using var client = new HttpClient(ClientHandler());
        using var form = new FormUrlEncodedContent([new("token", token), new("client_id", PublicClient)]);
        using var response = await client.PostAsync(RevocationEndpoint, form);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Asks the introspection endpoint about a token, as Dovecot does: <c>active</c>, <c>username</c>, ...</summary>
    public async Task<JsonDocument> IntrospectAsync(string token)
    {
        using var client = new HttpClient(ClientHandler());
        using var request = new HttpRequestMessage(HttpMethod.Post, IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent([new("token", token)]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{IntrospectionClient}:{IntrospectionSecret}")));
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Does what a browser does with an authorization URL when the server approves at once: follows
    /// it and returns where the server redirects (the client's callback with a code, or an error).
    /// </summary>
    public async Task<Uri> FollowAuthorizationAsync(Uri authorizationUri)
    {
        using var browser = Browser();
        using var response = await browser.GetAsync(authorizationUri);
        return response.Headers.Location ?? throw new InvalidOperationException($"no redirect: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Approves a device code, as the person at the verification page would.</summary>
    public async Task ApproveDeviceAsync(string userCode)
    {
        using var browser = Browser();
        using var form = new FormUrlEncodedContent([new("user_code", userCode)]);
        using var response = await browser.PostAsync(VerificationEndpoint, form);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _keepAlive.DisposeAsync();
        CertificateAuthority?.Dispose();
    }

    /// <summary>A handler that trusts this server's test CA, and no other root, when it serves HTTPS.</summary>
    public SocketsHttpHandler ClientHandler(bool followRedirects = true)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = followRedirects };
        if (CertificateAuthority is { } authority)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificates.IsIssuedBy(certificate, authority);
        }

        return handler;
    }

    /// <summary>Serves the discovery document once, so a client's first request does not wait for JIT and EF Core start-up.</summary>
    private async Task WarmUpAsync()
    {
        using var client = new HttpClient(ClientHandler());
        using var response = await client.GetAsync(new Uri(BaseUri, ".well-known/openid-configuration"));
        response.EnsureSuccessStatusCode();
    }

    private HttpClient Browser() => new(ClientHandler(followRedirects: false));

    private async Task CountTokenRequestsAsync(HttpContext context, RequestDelegate next)
    {
        if (!AuthServerSetup.IsTokenPath(context.Request.Path))
        {
            await next(context);
            return;
        }

        TokenRequestTimes.Enqueue(Clock.GetUtcNow());
        if (context.Request.HasFormContentType)
        {
            // Read once here; the form is kept for OpenIddict's own reading.
            var form = await context.Request.ReadFormAsync();
            if (form["grant_type"] == "refresh_token" && form["refresh_token"].ToString() is { Length: > 0 } presented)
            {
                RefreshTokensPresented.Enqueue((Clock.GetUtcNow(), presented));
            }
        }

        var now = Interlocked.Increment(ref _concurrentTokenRequests);
        for (var peak = PeakConcurrentTokenRequests; now > peak; peak = PeakConcurrentTokenRequests)
        {
            Interlocked.CompareExchange(ref _peakConcurrentTokenRequests, now, peak);
        }

        try
        {
            await InjectFaultsAsync(context, next);
        }
        finally
        {
            Interlocked.Decrement(ref _concurrentTokenRequests);
        }
    }

    private async Task InjectFaultsAsync(HttpContext context, RequestDelegate next)
    {
        if ((_faults.TryDequeue(out var queued) ? queued : Outage) is { } fault)
        {
            switch (fault)
            {
                case Fault.ServerError:
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    return;
                case Fault.TooManyRequests:
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                    return;
                case Fault.Slow:
                    await AnswerSlowlyAsync(context, next);
                    return;
                case Fault.Hang:
                    using (var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _app.Lifetime.ApplicationStopping))
                    {
                        await Task.Delay(Timeout.Infinite, hang.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    }

                    return;
                case Fault.Drop:
                    context.Abort();
                    return;
            }
        }

        await next(context);
    }

    private async Task AnswerSlowlyAsync(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref _slowTokenRequests);
        try
        {
            await Task.Delay(SlowBy, Clock, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _slowTokenRequests);
        }

        await next(context);
    }

    private async Task SeedAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuthDbContext>().Database.EnsureCreatedAsync();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await applications.CreateAsync(AuthServerSetup.Client(PublicClient, secret: null));
        await applications.CreateAsync(AuthServerSetup.Client(ConfidentialClient, ConfidentialSecret));
        await applications.CreateAsync(AuthServerSetup.IntrospectionClient(IntrospectionClient, IntrospectionSecret));
    }
}
