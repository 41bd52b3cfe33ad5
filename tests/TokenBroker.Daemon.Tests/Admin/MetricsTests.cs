using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Admin;

/// <summary><c>/metrics</c> and <c>/health</c>: what they count, where they answer, and when the broker is unhealthy.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private readonly int _port = FreePorts.Take(1)[0];
    private AuthServer _server = null!;
    private InProcessDaemon _daemon = null!;

    private Uri Metrics => new($"http://127.0.0.1:{_port}/metrics");

    public async Task InitializeAsync()
    {
        _server = await AuthServer.StartAsync();
        _daemon = await StartAsync(new() { ["TokenBroker:Metrics:Port"] = _port.ToString(CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Lookups_refreshes_latency_and_every_account_s_state_and_expiry_are_counted_and_no_token_shows()
    {
        var entry = await _daemon.ConsentAsync(_server);
        using (var postfix = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket))
        {
            await postfix.AskAsync("sasl", AuthServer.User);
            await postfix.AskAsync("sasl", "nobody@example.test");
            await postfix.AskAsync("nosuchmap", "x");
        }

        var coordinator = _daemon.App.Services.GetRequiredService<RefreshCoordinator>();
        await coordinator.RefreshAsync(entry.Account.Name);
        await _server.RevokeUserAsync();
        await coordinator.RefreshAsync(entry.Account.Name);
        using var http = new HttpClient();
        using var response = await http.GetAsync(Metrics);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var lines = text.Split('\n');
        Assert.Contains("tokenbroker_lookups_total{result=\"OK\"} 1", lines);
        Assert.Contains("tokenbroker_lookups_total{result=\"NOTFOUND\"} 1", lines);
        Assert.Contains("tokenbroker_lookups_total{result=\"PERM\"} 1", lines);
        Assert.Contains("tokenbroker_lookups_total{result=\"TEMP\"} 0", lines);
        Assert.Contains("tokenbroker_lookup_duration_seconds_count 3", lines);
        Assert.Contains("tokenbroker_lookup_duration_seconds_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("tokenbroker_refreshes_total{result=\"success\"} 1", lines);
        Assert.Contains("tokenbroker_refreshes_total{result=\"failure\",reason=\"invalid_grant\"} 1", lines);
        Assert.Contains("tokenbroker_account_state{account=\"work\",state=\"needs_consent\"} 1", lines);
        Assert.Contains("tokenbroker_account_state{account=\"work\",state=\"active\"} 0", lines);
        Assert.Contains("# TYPE tokenbroker_lookup_duration_seconds histogram", lines);
        Assert.Empty(_server.Issued.FoundIn(text));
    }

    [Fact]
    public async Task Expiry_is_seconds_from_the_daemon_s_clock()
    {
        var entry = await _daemon.ConsentAsync(_server);
        _daemon.Clock.Advance(TimeSpan.FromMinutes(10));
        using var http = new HttpClient();

        var line = (await http.GetStringAsync(Metrics)).Split('\n').Single(l => l.StartsWith("tokenbroker_account_token_expiry_seconds{account=\"work\"} ", StringComparison.Ordinal));

        var expected = (entry.Grant.ExpiresAt!.Value - _daemon.Clock.GetUtcNow()).TotalSeconds;
        Assert.Equal(expected, double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture), 3);
    }

    [Fact]
    public async Task Health_is_503_naming_an_account_that_needs_consent_unless_configured_otherwise()
    {
        await _daemon.ConsentAsync(_server);
        using var http = new HttpClient();
        using var healthy = await http.GetAsync(new Uri($"http://127.0.0.1:{_port}/health"));
        var healthyText = await healthy.Content.ReadAsStringAsync();
        await _daemon.AddAccountAsync(_server, "second");
        using var unhealthy = await http.GetAsync(new Uri($"http://127.0.0.1:{_port}/health"));

        await using var tolerant = await StartAsync(new() { ["TokenBroker:Metrics:UnhealthyWhenNeedsConsent"] = "false" });
        await tolerant.AddAccountAsync(_server, "second");
        using var admin = tolerant.AdminClient();
        using var tolerated = await admin.GetAsync(new Uri("health", UriKind.Relative));

        Assert.Equal((HttpStatusCode.OK, "ok: 1 account(s)\n"), (healthy.StatusCode, healthyText));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "unhealthy: second (needs_consent)\n"), (unhealthy.StatusCode, await unhealthy.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "ok: 1 account(s)\n"), (tolerated.StatusCode, await tolerated.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task They_answer_on_the_admin_socket_and_the_metrics_port_never_on_the_consent_port_and_not_at_all_unless_enabled()
    {
        using var browser = InProcessDaemon.Browser();
        using var onConsentPort = await browser.GetAsync(new Uri(_daemon.Endpoint.BaseUri, "metrics"));
        using var admin = _daemon.AdminClient();
        using var onAdminSocket = await admin.GetAsync(new Uri("metrics", UriKind.Relative));
        await using var disabled = await InProcessDaemon.StartAsync();
        using var disabledAdmin = disabled.AdminClient();
        using var whenDisabled = await disabledAdmin.GetAsync(new Uri("metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, onConsentPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onAdminSocket.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, whenDisabled.StatusCode);
    }

    [Fact]
    public async Task A_consent_endpoint_on_the_same_port_of_the_IPv6_loopback_never_answers_them()
    {
        var port = FreePorts.Take(1)[0].ToString(CultureInfo.InvariantCulture);
        await using var daemon = await StartAsync(new()
        {
            ["TokenBroker:Metrics:Port"] = port,
            ["TokenBroker:Consent:ListenAddress"] = "::1",
            ["TokenBroker:Consent:Port"] = port,
        });
        using var http = new HttpClient();

        using var consentListener = await http.GetAsync(new Uri($"http://[::1]:{port}/metrics"));
        using var metricsListener = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));

        Assert.Equal(HttpStatusCode.NotFound, consentListener.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metricsListener.StatusCode);
    }

    private static Task<InProcessDaemon> StartAsync(Dictionary<string, string?> settings)
    {
        settings["TokenBroker:Metrics:Enabled"] = "true";
        return InProcessDaemon.StartAsync(settings);
    }
}
