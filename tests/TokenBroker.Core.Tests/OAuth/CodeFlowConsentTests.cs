using System.Web;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.OAuth;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Core.Tests.OAuth;

public sealed class CodeFlowConsentTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_authorization_url_carries_client_redirect_scopes_state_and_an_S256_challenge()
    {
        var context = fixture.Context;
        var account = context.Account();

        var session = (await context.Client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None)).Value!;
        var query = HttpUtility.ParseQueryString(session.AuthorizationUri.Query);

        Assert.StartsWith(context.Server.AuthorizationEndpoint.AbsoluteUri, session.AuthorizationUri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(AuthServer.PublicClient, query["client_id"]);
        Assert.Equal(OAuthTestContext.RedirectUri.AbsoluteUri, query["redirect_uri"]);
        Assert.Equal("mail offline_access", query["scope"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", query["code_challenge"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", session.State);
        Assert.Equal(session.State, query["state"]);
        Assert.DoesNotContain("code_verifier", session.AuthorizationUri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_consents_never_share_state_or_challenge()
    {
        var context = fixture.Context;
        var first = (await context.Client.BeginConsentAsync(context.Account(), OAuthTestContext.RedirectUri, None)).Value!;
        var second = (await context.Client.BeginConsentAsync(context.Account(), OAuthTestContext.RedirectUri, None)).Value!;

        Assert.NotEqual(first.State, second.State);
        Assert.NotEqual(
            HttpUtility.ParseQueryString(first.AuthorizationUri.Query)["code_challenge"],
            HttpUtility.ParseQueryString(second.AuthorizationUri.Query)["code_challenge"]);
    }

    [Fact]
    public async Task Consent_with_PKCE_returns_an_access_token_and_a_refresh_token()
    {
        await using var context = await OAuthTestContext.StartAsync(new AuthServerOptions { AccessTokenLifetime = TimeSpan.FromMinutes(20) });

        var tokens = await context.ConsentAsync(context.Account());

        Assert.True(tokens.AccessToken.Length > 20);
        Assert.NotNull(tokens.RefreshToken);
        Assert.Equal(context.Clock.GetUtcNow(), tokens.IssuedAt);
        Assert.InRange(tokens.ExpiresAt, context.Clock.GetUtcNow().AddMinutes(19), context.Clock.GetUtcNow().AddMinutes(20));
        Assert.Contains(tokens.AccessToken.Reveal(), context.Server.Issued.All);
    }

    [Fact]
    public async Task A_confidential_client_sends_its_secret()
    {
        var context = fixture.Context;

        var tokens = await context.ConsentAsync(context.Account(clientSecret: AuthServer.ConfidentialSecret));

        Assert.NotNull(tokens.RefreshToken);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_a_permanent_invalid_client()
    {
        var context = fixture.Context;
        var account = context.Account(clientSecret: "not-the-secret");
        var session = (await context.Client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None)).Value!;

        var result = await session.CompleteAsync(await context.Server.FollowAuthorizationAsync(session.AuthorizationUri), None);

        Assert.Equal(OAuthFailureKind.Permanent, result.Failure?.Kind);
        Assert.Equal("invalid_client", result.Failure?.Error);
    }

    [Fact]
    public async Task A_replayed_code_is_refused()
    {
        var context = fixture.Context;
        var session = (await context.Client.BeginConsentAsync(context.Account(), OAuthTestContext.RedirectUri, None)).Value!;
        var callback = await context.Server.FollowAuthorizationAsync(session.AuthorizationUri);

        Assert.NotNull((await session.CompleteAsync(callback, None)).Value);
        var replay = await session.CompleteAsync(callback, None);

        Assert.Equal(OAuthFailureKind.Permanent, replay.Failure?.Kind);
        Assert.Equal("invalid_grant", replay.Failure?.Error);
    }

    [Fact]
    public async Task A_code_redeemed_with_another_verifier_is_refused()
    {
        var context = fixture.Context;
        var account = context.Account();
        var session = (await context.Client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None)).Value!;
        var callback = await context.Server.FollowAuthorizationAsync(session.AuthorizationUri);
        var code = HttpUtility.ParseQueryString(callback.Query)["code"]!;
        var endpoints = (await new EndpointResolver(context.Http, context.Clock).ResolveAsync(account.Provider, None)).Value!;

        var result = await context.Client.RedeemCodeAsync(account, endpoints, code, OAuthTestContext.RedirectUri, Pkce.NewVerifier(), None);

        Assert.Equal(OAuthFailureKind.Permanent, result.Failure?.Kind);
        Assert.Equal("invalid_grant", result.Failure?.Error);
    }

    [Fact]
    public async Task A_callback_with_another_state_is_refused_without_asking_the_provider()
    {
        var context = fixture.Context;
        var session = (await context.Client.BeginConsentAsync(context.Account(), OAuthTestContext.RedirectUri, None)).Value!;
        var callback = await context.Server.FollowAuthorizationAsync(session.AuthorizationUri);
        var forged = new Uri(callback.AbsoluteUri.Replace(session.State, Pkce.NewState(), StringComparison.Ordinal));

        var result = await session.CompleteAsync(forged, None);

        Assert.Equal("invalid_state", result.Failure?.Error);
        Assert.NotNull((await session.CompleteAsync(callback, None)).Value);
    }

    [Fact]
    public async Task A_provider_error_in_the_callback_is_permanent_with_its_description()
    {
        var context = fixture.Context;
        var session = (await context.Client.BeginConsentAsync(context.Account(), OAuthTestContext.RedirectUri, None)).Value!;
        var callback = new Uri($"{OAuthTestContext.RedirectUri}?error=access_denied&error_description=The+user+said+no&state={session.State}");

        var result = await session.CompleteAsync(callback, None);

        Assert.Equal(new OAuthFailure(OAuthFailureKind.Permanent, "access_denied", "The user said no"), result.Failure);
    }

    [Fact]
    public async Task Explicit_endpoints_work_without_discovery()
    {
        var context = fixture.Context;
        Assert.NotNull((await context.ConsentAsync(context.ExplicitEndpointsAccount())).RefreshToken);
    }

    [Fact]
    public async Task The_google_profile_asks_for_offline_access_and_a_fresh_consent()
    {
        var context = fixture.Context;
        var account = context.Account() with
        {
            Scopes = [],
            Provider = new ProviderProfile
            {
                Kind = ProviderKind.Google,
                AuthorizationEndpoint = context.Server.AuthorizationEndpoint,
                TokenEndpoint = context.Server.TokenEndpoint,
            },
        };

        var session = (await context.Client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None)).Value!;
        var query = HttpUtility.ParseQueryString(session.AuthorizationUri.Query);

        Assert.Equal("offline", query["access_type"]);
        Assert.Equal("consent", query["prompt"]);
        Assert.Equal(AuthServer.User, query["login_hint"]);
        Assert.Equal("https://mail.google.com/", query["scope"]);
    }

    [Fact]
    public async Task An_unreachable_issuer_is_a_transient_failure()
    {
        var context = fixture.Context;
        var account = context.Account() with { Provider = new ProviderProfile { Kind = ProviderKind.Generic, Issuer = new Uri("http://127.0.0.1:9/") } };

        var result = await context.Client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None);

        Assert.Equal(OAuthFailureKind.Transient, result.Failure?.Kind);
    }

    [Fact]
    public async Task An_account_without_endpoints_or_issuer_is_a_permanent_failure()
    {
        var context = fixture.Context;
        var account = context.Account() with { Provider = new ProviderProfile { Kind = ProviderKind.Generic } };

        var result = await context.Client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None);

        Assert.Equal(new OAuthFailureKind?(OAuthFailureKind.Permanent), result.Failure?.Kind);
        Assert.Equal("no_endpoints", result.Failure?.Error);
    }

    [Fact]
    public async Task An_account_without_a_client_id_is_a_permanent_failure_not_an_exception()
    {
        var context = fixture.Context;
        var account = context.Account() with { ClientId = null };

        var consent = await context.Client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None);
        var device = await context.Client.BeginDeviceConsentAsync(account, None);

        Assert.Equal("no_client_id", consent.Failure?.Error);
        Assert.Equal("no_client_id", device.Failure?.Error);
    }

    [Fact]
    public async Task Issued_tokens_print_no_secret()
    {
        var context = fixture.Context;

        var tokens = await context.ConsentAsync(context.Account());

        Assert.Empty(context.Server.Issued.FoundIn(tokens.ToString()));
        Assert.Contains("[secret]", tokens.ToString(), StringComparison.Ordinal);
    }
}
