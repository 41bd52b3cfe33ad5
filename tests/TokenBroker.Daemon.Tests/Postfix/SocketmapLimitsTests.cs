using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Postfix;

/// <summary>Clients that misbehave: each is cut off, and well-behaved clients are answered throughout.</summary>
public sealed class SocketmapLimitsTests : IAsyncLifetime
{
    private InProcessDaemon _daemon = null!;

    public async Task InitializeAsync() =>
        _daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:Postfix:MaxConnections"] = "3" });

    public async Task DisposeAsync()
    {
        // Every test ends with the service still answering.
        using (var after = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket))
        {
            Assert.Equal("NOTFOUND ", await after.AskAsync("sasl", "after@example.test"));
        }

        await _daemon.DisposeAsync();
    }

    [Theory]
    [InlineData("99999999999:", "PERM netstring length exceeds the limit of 10000 bytes")]
    [InlineData("10001:", "PERM netstring length exceeds the limit of 10000 bytes")]
    [InlineData("abc", "PERM netstring does not start with a length")]
    [InlineData("4:sasl;", "PERM netstring is not terminated by ','")]
    public async Task Broken_framing_gets_PERM_and_the_connection_is_closed(string garbage, string reply)
    {
        using var bystander = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);
        using var client = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);

        await client.SendAsync(System.Text.Encoding.ASCII.GetBytes(garbage));

        Assert.Equal(reply, await client.ReplyAsync());
        Assert.True(await client.IsClosedAsync());
        Assert.Equal("NOTFOUND ", await bystander.AskAsync("sasl", "bystander@example.test"));
    }

    [Theory]
    [InlineData("saslkey", "PERM request is not \"NAME KEY\"")]
    [InlineData("sasl ", "PERM request has an empty key")]
    [InlineData("other key", "PERM no map named other here; this socket serves sasl and relay")]
    public async Task A_framed_request_that_is_not_valid_gets_PERM_and_the_connection_stays_usable(string payload, string reply)
    {
        using var client = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);

        await client.SendAsync(SocketmapClient.Frame(payload));

        Assert.Equal(reply, await client.ReplyAsync());
        Assert.Equal("NOTFOUND ", await client.AskAsync("sasl", "after@example.test"));
    }

    [Fact]
    public async Task A_key_that_is_not_UTF8_gets_PERM()
    {
        using var client = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);

        await client.SendAsync([.. "7:sasl "u8, 0xff, 0xfe, (byte)',']);

        Assert.Equal("PERM key is not valid UTF-8", await client.ReplyAsync());
    }

    [Fact]
    public async Task A_client_sending_a_request_too_slowly_is_cut_off_after_the_request_timeout()
    {
        using var slow = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);
        // A whole request and the start of the next in one write: once the first is answered, the
        // server has seen the start of the second and started its clock.
        await slow.SendAsync([.. SocketmapClient.Frame("sasl first@example.test"), .. "30:sasl "u8]);
        Assert.Equal("NOTFOUND ", await slow.ReplyAsync());

        _daemon.Clock.Advance(TimeSpan.FromSeconds(9));
        await slow.SendAsync("x"u8.ToArray());
        _daemon.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await slow.IsClosedAsync());
        Assert.Contains("a request arrived too slowly", _daemon.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_and_not_before()
    {
        using var idle = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);
        Assert.Equal("NOTFOUND ", await idle.AskAsync("sasl", "first@example.test"));

        _daemon.Clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal("NOTFOUND ", await idle.AskAsync("sasl", "second@example.test"));
        _daemon.Clock.Advance(TimeSpan.FromSeconds(120));

        Assert.True(await idle.IsClosedAsync());
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_closed_at_once()
    {
        using var first = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);
        using var second = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);
        using var third = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);
        Assert.Equal("NOTFOUND ", await third.AskAsync("sasl", "third@example.test"));

        using var fourth = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);

        Assert.True(await fourth.IsClosedAsync());
        Assert.Contains("more than 3 at once", _daemon.LogText, StringComparison.Ordinal);
        third.Dispose();

        // The server counts the closed connection out once it reads its end; then a new one is served.
        string? answer = null;
        for (var attempt = 0; attempt < 100 && answer is null; attempt++)
        {
            using var next = await SocketmapClient.ConnectAsync(_daemon.PostfixSocket);
            try
            {
                await next.SendAsync(SocketmapClient.Frame("sasl next@example.test"));
                answer = await next.ReplyAsync();
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Closed as one too many: the server has not counted the third out yet.
            }
        }

        Assert.Equal("NOTFOUND ", answer);
    }
}
