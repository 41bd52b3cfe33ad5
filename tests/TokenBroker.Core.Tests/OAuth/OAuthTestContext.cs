using Microsoft.Extensions.Time.Testing;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Core.Tests.OAuth;

/// <summary>A test authorization server, a client for it on a fake clock, and accounts that point at it.</summary>
public sealed class OAuthTestContext : IAsyncDisposable
{
    public static readonly Uri RedirectUri = new("http://127.0.0.1:41999/callback");

    private OAuthTestContext(AuthServer server, TimeSpan timeout)
    {
        Server = server;
        Http = new HttpClient { Timeout = timeout };
        Client = new CodeFlowClient(Http, new EndpointResolver(Http, Clock), Clock);
    }

    public AuthServer Server { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    public HttpClient Http { get; }

    public CodeFlowClient Client { get; }

    public static async Task<OAuthTestContext> StartAsync(AuthServerOptions? options = null) =>
        new(await AuthServer.StartAsync(options), TimeSpan.FromSeconds(30));

    /// <summary>A generic account that finds the server by discovery.</summary>
    public Account Account(string name = "work", string? clientSecret = null) => new()
    {
        Name = AccountName.Parse(name),
        Provider = new ProviderProfile { Kind = ProviderKind.Generic, Issuer = Server.BaseUri },
        Username = AuthServer.User,
        Scopes = ["mail", "offline_access"],
        ClientId = clientSecret is null ? AuthServer.PublicClient : AuthServer.ConfidentialClient,
        ClientSecret = clientSecret is null ? null : Secret.FromText(clientSecret),
    };

    /// <summary>A generic account with explicit authorization and token endpoints and no issuer (no discovery, no device endpoint).</summary>
    public Account ExplicitEndpointsAccount() => Account() with
    {
        Provider = new ProviderProfile
        {
            Kind = ProviderKind.Generic,
            AuthorizationEndpoint = Server.AuthorizationEndpoint,
            TokenEndpoint = Server.TokenEndpoint,
        },
    };

    /// <summary>Consent as a person with a browser would give it; returns the tokens.</summary>
    public async Task<IssuedTokens> ConsentAsync(Account account)
    {
        var session = (await Client.BeginConsentAsync(account, RedirectUri, CancellationToken.None)).Value!;
        var callback = await Server.FollowAuthorizationAsync(session.AuthorizationUri);
        var result = await session.CompleteAsync(callback, CancellationToken.None);
        return result.Value ?? throw new InvalidOperationException($"consent failed: {result.Failure}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
