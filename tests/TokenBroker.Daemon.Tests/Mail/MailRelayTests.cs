using TokenBroker.Core.Grants;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.Daemon.Tests.Refresh;
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
        _daemon = await InProcessDaemon.StartAsync(Settings);
    }

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        await _daemon.DisposeAsync();
        await _server.DisposeAsync();
    }

    private string Socket => Path.Combine(_lab.SocketDirectory, "postfix.sock");

    private Dictionary<string, string?> Settings => new()
    {
        ["TokenBroker:Postfix:Socket"] = Socket,
        ["TokenBroker:Postfix:SocketGroup"] = "postfix",
    };

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

    [Fact]
    public async Task Mail_keeps_flowing_across_refreshes_each_using_the_new_token()
    {
        var options = new MailLabOptions();
        var entry = await _daemon.ConsentAsync(_server, matchKeys: [_lab.NextHop(options)]);
        await _lab.StartAsync(_server, Socket, options);

        for (var round = 1; round <= 3; round++)
        {
            var before = (await _daemon.Store.FindAsync(entry.Account.Name, CancellationToken.None))!.Grant.AccessToken!.Reveal();
            await _daemon.AdvanceAsync(TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(1));
            var after = (await _daemon.Store.FindAsync(entry.Account.Name, CancellationToken.None))!.Grant.AccessToken!.Reveal();
            Assert.NotEqual(before, after);

            // Dovecot now refuses the old token, so only the refreshed one can carry the mail.
            await _server.RevokeTokenAsync(before);
            await _lab.SendAsync(Sender, "xoauth2@example.test", $"round {round}");
            Assert.Equal(round, (await _lab.WaitForDeliveriesAsync(round)).Count);
        }

        Assert.Equal(["round 1", "round 2", "round 3"], _lab.Delivered());
        Assert.Empty(_server.Issued.FoundIn(_lab.Logs() + _daemon.LogText));
    }

    [Fact]
    public async Task A_revoked_grant_defers_mail_until_consent_is_given_again_then_delivers_it_once()
    {
        var options = new MailLabOptions();
        var entry = await _daemon.ConsentAsync(_server, matchKeys: [_lab.NextHop(options)]);
        await _lab.StartAsync(_server, Socket, options);
        await _server.RevokeTokenAsync(entry.Grant.RefreshToken!.Reveal());
        await _daemon.AdvanceAsync(TimeSpan.FromMinutes(61), TimeSpan.FromMinutes(1));
        Assert.Equal(GrantState.NeedsConsent, (await _daemon.Store.FindAsync(entry.Account.Name, CancellationToken.None))!.Grant.State);

        await _lab.SendAsync(Sender, "xoauth2@example.test", "waited");
        await _lab.WaitForDeferredAsync(1);
        Assert.Contains("needs consent: run tokenbroker consent work", _lab.ClientLog, StringComparison.Ordinal);
        Assert.Empty(_lab.Delivered());

        await _daemon.ConsentAsync(_server, matchKeys: [_lab.NextHop(options)]);
        await _lab.FlushAsync();

        Assert.Equal(["waited"], await _lab.WaitForDeliveriesAsync(1));
        Assert.Equal(0, await _lab.QueuedAsync());
    }

    [Fact]
    public async Task Mail_waits_while_the_broker_is_stopped_and_goes_once_it_is_back()
    {
        var options = new MailLabOptions();
        await _daemon.ConsentAsync(_server, matchKeys: [_lab.NextHop(options)]);
        await _lab.StartAsync(_server, Socket, options);
        var state = _daemon.StateDirectory;
        await _daemon.StopAsync();

        await _lab.SendAsync(Sender, "xoauth2@example.test", "while stopped");
        await _lab.WaitForDeferredAsync(1);
        Assert.Empty(_lab.Delivered());

        await using var restarted = await InProcessDaemon.StartAsync(new Dictionary<string, string?>(Settings) { ["TokenBroker:StateDirectory"] = state });
        await _lab.FlushAsync();

        Assert.Equal(["while stopped"], await _lab.WaitForDeliveriesAsync(1));
        Assert.Equal(0, await _lab.QueuedAsync());
    }

    [Fact]
    public async Task With_sender_dependent_authentication_each_sender_logs_in_with_its_own_account()
    {
        var options = new MailLabOptions(SenderDependent: true);
        await _daemon.ConsentAsync(_server, "sales", ["sales@example.test"]);
        await _daemon.ConsentAsync(_server, "support", ["support@example.test"]);
        await _lab.StartAsync(_server, Socket, options);

        await _lab.SendAsync("sales@example.test", "xoauth2@example.test", "from sales");
        await _lab.SendAsync("support@example.test", "oauthbearer@example.test", "from support");

        Assert.Equal(["from sales", "from support"], await _lab.WaitForDeliveriesAsync(2));
        Assert.Contains("socketmap sasl sales@example.test: Ok", _daemon.LogText, StringComparison.Ordinal);
        Assert.Contains("socketmap sasl support@example.test: Ok", _daemon.LogText, StringComparison.Ordinal);
    }
}
