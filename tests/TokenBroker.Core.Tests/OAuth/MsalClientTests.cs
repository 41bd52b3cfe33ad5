using System.Text;
using System.Web;
using Microsoft.Extensions.Time.Testing;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.OAuth.Msal;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Core.Tests.OAuth;

/// <summary>MSAL's real Microsoft code path against the test server's HTTPS, Entra-shaped endpoints.</summary>
public sealed class MsalClientTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private AuthServer _server = null!;
    private HttpClient _http = null!;
    private MsalClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthServer.StartAsync(new AuthServerOptions { Https = true });
        _http = new HttpClient(_server.ClientHandler()) { Timeout = TimeSpan.FromSeconds(30) };
        _client = new MsalClient(_http, _clock);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Consent_goes_through_the_Entra_shaped_endpoints_with_PKCE_and_returns_a_sealed_able_cache()
    {
        var account = Account("consent");

        var session = (await _client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None)).Value!;
        var query = HttpUtility.ParseQueryString(session.AuthorizationUri.Query);
        var tokens = (await session.CompleteAsync(await _server.FollowAuthorizationAsync(session.AuthorizationUri), None)).Value!;

        Assert.Equal(new Uri(_server.Authority("organizations"), "oauth2/v2.0/authorize"), new Uri(session.AuthorizationUri.GetLeftPart(UriPartial.Path)));
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(session.State, query["state"]);
        Assert.Contains("https://outlook.office.com/SMTP.Send", query["scope"], StringComparison.Ordinal);
        Assert.Contains(tokens.AccessToken.Reveal(), _server.Issued.All);
        Assert.Null(tokens.RefreshToken);
        Assert.NotNull(tokens.MsalCache);
        Assert.Contains(_server.Issued.All, value => Encoding.UTF8.GetString(tokens.MsalCache.RevealBytes()).Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refresh_uses_the_cache_and_returns_the_rotated_one_which_replaces_the_old()
    {
        var account = Account("refresh");
        var grant = GrantUpdates.Issued(Grant.None, await ConsentAsync(account));

        var refreshed = (await _client.RefreshAsync(account, grant, None)).Value!;
        var again = await _client.RefreshAsync(account, GrantUpdates.Issued(grant, refreshed), None);
        var stale = await _client.RefreshAsync(account, grant, None);

        Assert.NotEqual(grant.AccessToken, refreshed.AccessToken);
        Assert.NotNull(refreshed.MsalCache);
        Assert.NotEqual(grant.MsalCache, refreshed.MsalCache);
        Assert.NotNull(again.Value);
        Assert.Equal(OAuthFailureKind.Permanent, stale.Failure?.Kind);
        Assert.Equal("invalid_grant", stale.Failure?.Error);
    }

    [Fact]
    public async Task A_revoked_consent_is_a_permanent_invalid_grant()
    {
        var account = Account("revoked");
        var grant = GrantUpdates.Issued(Grant.None, await ConsentAsync(account));

        await _server.RevokeUserAsync();
        var result = await _client.RefreshAsync(account, grant, None);

        Assert.Equal(OAuthFailureKind.Permanent, result.Failure?.Kind);
        Assert.Equal("invalid_grant", result.Failure?.Error);
    }

    [Theory]
    [InlineData(Fault.ServerError, "http_500")]
    [InlineData(Fault.TooManyRequests, "http_429")]
    [InlineData(Fault.Drop, "network")]
    public async Task Provider_faults_are_transient(Fault fault, string error)
    {
        var account = Account("fault-" + fault.ToString().ToLowerInvariant());
        var grant = GrantUpdates.Issued(Grant.None, await ConsentAsync(account));

        _server.Fail(fault);
        var result = await _client.RefreshAsync(account, grant, None);

        Assert.Equal(OAuthFailureKind.Transient, result.Failure?.Kind);
        Assert.Equal(error, result.Failure?.Error);
    }

    [Fact]
    public async Task A_provider_that_never_answers_is_a_transient_timeout()
    {
        var account = Account("timeout");
        var grant = GrantUpdates.Issued(Grant.None, await ConsentAsync(account));
        using var impatient = new HttpClient(_server.ClientHandler()) { Timeout = TimeSpan.FromMilliseconds(500) };

        _server.Fail(Fault.Hang, times: 2);
        var result = await new MsalClient(impatient, _clock).RefreshAsync(account, grant, None);

        Assert.Equal(OAuthFailureKind.Transient, result.Failure?.Kind);
        Assert.Equal("timeout", result.Failure?.Error);
    }

    [Fact]
    public async Task An_account_without_a_client_id_or_with_a_secret_is_refused_plainly()
    {
        var withoutId = await _client.BeginConsentAsync(Account("no-id") with { ClientId = null }, OAuthTestContext.RedirectUri, None);
        var withSecret = await _client.BeginConsentAsync(Account("secret") with { ClientSecret = Core.Secrets.Secret.FromText("s") }, OAuthTestContext.RedirectUri, None);

        Assert.Equal("no_client_id", withoutId.Failure?.Error);
        Assert.Equal("confidential_client_unsupported", withSecret.Failure?.Error);
    }

    [Fact]
    public async Task Device_code_login_returns_tokens_once_approved()
    {
        var account = Account("device");

        var device = (await _client.BeginDeviceConsentAsync(account, None)).Value!;
        await _server.ApproveDeviceAsync(device.UserCode);
        var result = await device.WaitAsync(None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(_server.VerificationEndpoint, device.VerificationUri);
        Assert.True(result.Value?.MsalCache is not null, $"device login failed: {result.Failure}");
    }

    [Fact]
    public async Task A_callback_with_another_state_is_refused_by_MSAL()
    {
        var account = Account("forged");
        var session = (await _client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None)).Value!;
        var callback = await _server.FollowAuthorizationAsync(session.AuthorizationUri);

        var result = await session.CompleteAsync(new Uri(callback.AbsoluteUri.Replace(session.State, "forged-state", StringComparison.Ordinal)), None);

        Assert.Equal(OAuthFailureKind.Permanent, result.Failure?.Kind);
        Assert.Equal("state_mismatch", result.Failure?.Error);
    }

    [Fact]
    public async Task A_server_whose_certificate_is_not_trusted_is_a_transient_network_failure()
    {
        using var systemTrust = new HttpClient();
        var client = new MsalClient(systemTrust, _clock);

        var result = await client.BeginConsentAsync(Account("untrusted"), OAuthTestContext.RedirectUri, None);

        Assert.NotNull(result.Value);
        var completed = await result.Value.CompleteAsync(await _server.FollowAuthorizationAsync(result.Value.AuthorizationUri), None);
        Assert.Equal(OAuthFailureKind.Transient, completed.Failure?.Kind);
        Assert.Equal("network", completed.Failure?.Error);
    }

    private Account Account(string scopeSuffix) => new()
    {
        Name = AccountName.Parse("m365"),
        Provider = new ProviderProfile { Kind = ProviderKind.Microsoft, Issuer = _server.Authority("organizations") },
        Username = AuthServer.User,
        ClientId = AuthServer.PublicClient,
        Scopes = ["https://outlook.office.com/SMTP.Send", $"https://outlook.office.com/{scopeSuffix}", "offline_access"],
    };

    private async Task<IssuedTokens> ConsentAsync(Account account)
    {
        var session = (await _client.BeginConsentAsync(account, OAuthTestContext.RedirectUri, None)).Value!;
        var result = await session.CompleteAsync(await _server.FollowAuthorizationAsync(session.AuthorizationUri), None);
        return result.Value ?? throw new InvalidOperationException($"consent failed: {result.Failure}");
    }
}
