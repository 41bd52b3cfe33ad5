using System.Net;
using TokenBroker.Core;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Daemon.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Consent;

public sealed class ConsentEndpointTests(ITestOutputHelper output) : DaemonWithServer
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_endpoint_listens_on_127_0_0_1_and_redirects_to_its_callback()
    {
        Assert.Equal("127.0.0.1", Daemon.Endpoint.BaseUri.Host);
        Assert.Equal($"http://127.0.0.1:{Daemon.Endpoint.BaseUri.Port}/callback", Daemon.Endpoint.RedirectUri.AbsoluteUri);
    }

    [Fact]
    public async Task The_admin_api_answers_on_the_private_unix_socket_and_never_on_the_tcp_port()
    {
        var account = await Daemon.AddAccountAsync(Server);
        using var tcp = InProcessDaemon.Browser();
        using var overTcp = await tcp.PostAsync(new Uri(Daemon.Endpoint.BaseUri, $"v1/accounts/{account.Name}/consent"), null);
        var socket = Path.Combine(Daemon.StateDirectory, "admin.sock");
        using var unix = Daemon.AdminClient();
        using var overSocket = await unix.PostAsync(new Uri($"v1/accounts/{account.Name}/consent", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, overTcp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, overSocket.StatusCode);
        Assert.Contains("authorizationUri", await overSocket.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
    }

    [Fact]
    public async Task A_completed_consent_is_stored_before_the_browser_sees_success()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);

        var callback = await Server.FollowAuthorizationAsync(started.AuthorizationUri);
        Assert.Equal(Daemon.Endpoint.RedirectUri.GetLeftPart(UriPartial.Path), callback.GetLeftPart(UriPartial.Path));
        var (status, page) = await GetAsync(callback);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Consent stored", page, StringComparison.Ordinal);
        var outcome = await started.Outcome.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200, outcome.StatusCode);
        var entry = (await Daemon.Store.FindAsync(account.Name, None))!;
        Assert.Equal(GrantState.Active, entry.Grant.State);
        Assert.Contains(entry.Grant.RefreshToken!.Reveal(), Server.Issued.All);
        Assert.Contains(entry.Grant.AccessToken!.Reveal(), Server.Issued.All);
        Assert.Empty(Server.Issued.FoundIn(Daemon.LogText + page));
    }

    [Fact]
    public async Task Even_trace_logging_of_ASP_NET_Core_never_writes_the_code_or_tokens()
    {
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
        });
        var account = await daemon.AddAccountAsync(Server);
        var started = (await daemon.Coordinator.StartAsync(account.Name, None))!.Value!;

        var (status, _) = await GetAsync(await Server.FollowAuthorizationAsync(started.AuthorizationUri));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(daemon.Logs.GetSnapshot(), r => r.Category?.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) == true);
        Assert.Empty(Server.Issued.FoundIn(daemon.LogText));
    }

    [Fact]
    public async Task A_forged_state_gets_400_and_changes_nothing()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);
        var callback = await Server.FollowAuthorizationAsync(started.AuthorizationUri);
        var forged = new Uri(callback.AbsoluteUri.Replace(State(callback), Pkce.NewState(), StringComparison.Ordinal));

        var (status, page) = await GetAsync(forged);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("unknown, was already used, or has expired", page, StringComparison.Ordinal);
        Assert.Equal(GrantState.NeedsConsent, (await Daemon.Store.FindAsync(account.Name, None))!.Grant.State);
        Assert.False(started.Outcome.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(callback)).Status);
        ReliabilityReport.Write(output, "consent callback with a forged state", "1 forged callback before the real one", "400, nothing stored; the real callback then stored the grant");
    }

    [Fact]
    public async Task A_callback_with_a_huge_query_string_is_refused_before_it_is_read_and_the_real_one_still_works()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);
        var callback = await Server.FollowAuthorizationAsync(started.AuthorizationUri);

        var (status, _) = await GetAsync(new Uri($"{callback.AbsoluteUri}&padding={new string('a', 200_000)}"));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, status);
        Assert.False(started.Outcome.IsCompleted);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(callback)).Status);
        ReliabilityReport.Write(output, "consent callback with a huge query string", "1 callback of 200 KB", "414 before it was read; the real callback then stored the grant");
    }

    [Fact]
    public async Task A_hundred_pending_consents_each_complete_with_their_own_state_and_no_other()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => StartAsync(account)));
        var callbacks = await Task.WhenAll(started.Select(s => Server.FollowAuthorizationAsync(s.AuthorizationUri)));

        Assert.Equal(100, callbacks.Select(State).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(callbacks[50])).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(callbacks[7])).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(callbacks[50])).Status);

        Assert.Equal([7, 50], started.Select((s, i) => (s, i)).Where(p => p.s.Outcome.IsCompleted).Select(p => p.i));
        Assert.Equal(GrantState.Active, (await Daemon.Store.FindAsync(account.Name, None))!.Grant.State);
        ReliabilityReport.Write(output, "many pending consents", "100 at once, 2 completed, 1 replayed", "each completed only with its own state; the replay got 400");
    }

    [Fact]
    public async Task A_replayed_callback_gets_400()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);
        var callback = await Server.FollowAuthorizationAsync(started.AuthorizationUri);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(callback)).Status);
        var revision = (await Daemon.Store.FindAsync(account.Name, None))!.Revision;

        var (status, _) = await GetAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(revision, (await Daemon.Store.FindAsync(account.Name, None))!.Revision);
    }

    [Fact]
    public async Task A_consent_older_than_ten_minutes_gets_400()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);
        var callback = await Server.FollowAuthorizationAsync(started.AuthorizationUri);

        Daemon.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var (status, page) = await GetAsync(callback);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("expired", page, StringComparison.Ordinal);
        Assert.Equal(400, (await started.Outcome.WaitAsync(TimeSpan.FromSeconds(10))).StatusCode);
        Assert.Equal(GrantState.NeedsConsent, (await Daemon.Store.FindAsync(account.Name, None))!.Grant.State);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("127.0.0.1.evil.example")]
    [InlineData("192.168.1.10")]
    public async Task A_foreign_Host_header_is_refused_before_the_callback_is_read(string host)
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);
        var callback = await Server.FollowAuthorizationAsync(started.AuthorizationUri);
        using var browser = InProcessDaemon.Browser();
        using var request = new HttpRequestMessage(HttpMethod.Get, callback);
        request.Headers.Host = $"{host}:{callback.Port}";

        using var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Host not allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(callback)).Status);
    }

    [Fact]
    public async Task The_providers_refusal_is_shown_and_nothing_is_stored()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);
        var state = State(await Server.FollowAuthorizationAsync(started.AuthorizationUri));
        var refusal = new Uri($"{Daemon.Endpoint.RedirectUri}?error=access_denied&error_description=The%20user%20declined&state={state}");

        var (status, page) = await GetAsync(refusal);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("access_denied: The user declined", page, StringComparison.Ordinal);
        Assert.Contains("tokenbroker consent work", page, StringComparison.Ordinal);
        Assert.Equal(GrantState.NeedsConsent, (await Daemon.Store.FindAsync(account.Name, None))!.Grant.State);
    }

    [Fact]
    public async Task A_token_endpoint_outage_during_the_exchange_gets_502_and_stores_nothing()
    {
        var account = await Daemon.AddAccountAsync(Server);
        var started = await StartAsync(account);
        var callback = await Server.FollowAuthorizationAsync(started.AuthorizationUri);

        Server.Fail(Fault.ServerError);
        var (status, page) = await GetAsync(callback);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("http_500", page, StringComparison.Ordinal);
        Assert.Null((await Daemon.Store.FindAsync(account.Name, None))!.Grant.RefreshToken);
    }

    [Fact]
    public async Task An_unknown_account_cannot_start_a_consent()
    {
        Assert.Null(await Daemon.Coordinator.StartAsync(AccountName.Parse("nobody"), None));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.10")]
    [InlineData("localhost")]
    public void A_listen_address_that_is_not_loopback_stops_the_daemon_at_start(string address)
    {
        var error = Assert.Throws<SetupException>(() => DaemonApp.Build(null, new Dictionary<string, string?> { ["TokenBroker:Consent:ListenAddress"] = address }));

        Assert.Contains("TokenBroker:Consent:ListenAddress must be a loopback address", error.Message, StringComparison.Ordinal);
    }

    private async Task<StartedConsent> StartAsync(Account account) =>
        (await Daemon.Coordinator.StartAsync(account.Name, None))!.Value!;

    private static string State(Uri callback) => System.Web.HttpUtility.ParseQueryString(callback.Query)["state"]!;

    private static async Task<(HttpStatusCode Status, string Page)> GetAsync(Uri uri)
    {
        using var browser = InProcessDaemon.Browser();
        using var response = await browser.GetAsync(uri);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
