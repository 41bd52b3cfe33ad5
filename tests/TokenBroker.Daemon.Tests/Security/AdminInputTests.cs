using System.Net;
using System.Net.Sockets;
using System.Text;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestUtils;
using Xunit.Abstractions;

namespace TokenBroker.Daemon.Tests.Security;

/// <summary>Bad requests on the admin socket: each gets a clear refusal, nothing is stored, and the daemon keeps answering.</summary>
public sealed class AdminInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private InProcessDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await InProcessDaemon.StartAsync();

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    [Theory]
    [InlineData("{\"provider\": \"google\", ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"provider\": 42}")]
    [InlineData("\u00ff\u00fe not json")]
    public async Task Malformed_json_is_a_400_and_stores_nothing(string body)
    {
        using var admin = _daemon.AdminClient();
        using var content = new StringContent(body, Encoding.Latin1, "application/json");

        using var response = await admin.PostAsync(new Uri("v1/accounts/bad", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty((await _daemon.Store.ListAsync(CancellationToken.None)).Accounts);
        await AssertStillAnswersAsync(admin);
        ReliabilityReport.Write(output, $"admin request with malformed JSON ({body.Length} bytes)", "1 request", "400, nothing stored, the next request answered");
    }

    [Fact]
    public async Task A_body_over_a_mebibyte_is_refused_with_413_before_it_is_read()
    {
        // Raw HTTP: the daemon answers from the headers alone and closes, so the body is never sent.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(_daemon.StateDirectory, "admin.sock")));
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /v1/accounts/big HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n"));
        var buffer = new byte[4096];
        // A bound on liveness: a daemon without the limit would wait for the body forever.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await socket.ReceiveAsync(buffer, limit.Token);

        Assert.StartsWith("HTTP/1.1 413 ", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.Empty((await _daemon.Store.ListAsync(CancellationToken.None)).Accounts);
        using var admin = _daemon.AdminClient();
        await AssertStillAnswersAsync(admin);
        ReliabilityReport.Write(output, "admin request over 1 MiB", "1 request announcing 2 MiB", "413 from the headers, nothing stored, the next request answered");
    }

    private static async Task AssertStillAnswersAsync(HttpClient admin)
    {
        using var status = await admin.GetAsync(new Uri("v1/accounts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }
}
