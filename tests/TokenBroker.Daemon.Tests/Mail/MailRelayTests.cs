using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;

namespace TokenBroker.Daemon.Tests.Mail;

/// <summary>
/// A real Postfix relays mail with the token the broker's socketmap gives it, through the project's
/// SASL plugin, to a real Dovecot that checks each token at the test authorization server.
/// </summary>
public sealed class MailRelayTests : IAsyncLifetime
{
    private const string Sender = AuthServer.User;
    private AuthServer _server = null!;
    private MailLab _lab = null!;
    private InProcessDaemon _daemon = null!;

    public async Task InitializeAsync()
    {
        _server = await AuthServer.StartAsync();
        _lab = MailLab.Create();
        _daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?>
        {
            ["TokenBroker:Postfix:Socket"] = Socket,
            ["TokenBroker:Postfix:SocketGroup"] = "postfix",
        });
    }

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        await _daemon.DisposeAsync();
        await _server.DisposeAsync();
    }

    private string Socket => Path.Combine(_lab.SocketDirectory, "postfix.sock");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mail_is_relayed_with_XOAUTH2_and_OAUTHBEARER(bool authAtPostfix)
    {
        var options = new MailLabOptions(AuthAtPostfix: authAtPostfix);
        await _daemon.ConsentAsync(_server, matchKeys: [_lab.NextHop(options)]);
        await _lab.StartAsync(_server, Socket, options);

        await _lab.SendAsync(Sender, "xoauth2@example.test", "first");
        await _lab.SendAsync(Sender, "oauthbearer@example.test", "second");

        Assert.Equal(["first", "second"], await _lab.WaitForDeliveriesAsync(2));
        foreach (var mechanism in new[] { "XOAUTH2", "OAUTHBEARER" })
        {
            var evidence = authAtPostfix
                ? (_lab.ServerLog, $"sasl_method={mechanism}, sasl_username={AuthServer.User}")
                : (_lab.DovecotLog, $"Login: user=<{AuthServer.User}>, method={mechanism}");
            Assert.Contains(evidence.Item2, evidence.Item1, StringComparison.Ordinal);
        }

        Assert.Equal(0, await _lab.QueuedAsync());
        Assert.Empty(_server.Issued.FoundIn(_lab.Logs() + _daemon.LogText));
    }
}
