using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Daemon.Tests.Consent;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Postfix;

/// <summary>The socketmap service as Postfix's smtp client sees it, on the daemon's real unix socket.</summary>
public sealed class SocketmapServiceTests : DaemonWithServer
{
    [Fact]
    public async Task A_claimed_key_in_any_case_gets_user_and_the_current_token_many_times_on_one_connection()
    {
        var entry = await Daemon.ConsentAsync(Server, matchKeys: ["[SMTP.Example.test]:587", "relay.example.test"]);
        using var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);

        var expected = $"OK {AuthServer.User}:{entry.Grant.AccessToken!.Reveal()}";
        foreach (var key in new[] { AuthServer.User, AuthServer.User.ToUpperInvariant(), "[smtp.example.test]:587", "Relay.Example.Test" })
        {
            Assert.Equal(expected, await postfix.AskAsync("sasl", key));
        }

        Assert.Equal("NOTFOUND ", await postfix.AskAsync("sasl", "smtp.other.test"));
        Assert.Contains(entry.Grant.AccessToken.Reveal(), Server.Issued.All);
        Assert.Empty(Server.Issued.FoundIn(Daemon.LogText));
    }

    [Fact]
    public async Task After_a_refresh_the_new_token_is_served_at_once()
    {
        var entry = await Daemon.ConsentAsync(Server);
        using var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);
        Assert.Equal($"OK {AuthServer.User}:{entry.Grant.AccessToken!.Reveal()}", await postfix.AskAsync("sasl", AuthServer.User));

        var refreshed = await Daemon.App.Services.GetRequiredService<GrantRefresher>().RefreshAsync(entry.Account.Name, CancellationToken.None);

        var token = refreshed!.Entry.Grant.AccessToken!.Reveal();
        Assert.NotEqual(entry.Grant.AccessToken.Reveal(), token);
        Assert.Equal($"OK {AuthServer.User}:{token}", await postfix.AskAsync("sasl", AuthServer.User));
    }

    [Fact]
    public async Task Requests_sent_together_are_answered_in_order()
    {
        await Daemon.ConsentAsync(Server);
        using var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);

        await postfix.SendAsync([.. SocketmapClient.Frame("sasl nobody@example.test"), .. SocketmapClient.Frame($"sasl {AuthServer.User}"), .. SocketmapClient.Frame("relay nobody@example.test")]);

        Assert.Equal("NOTFOUND ", await postfix.ReplyAsync());
        Assert.StartsWith($"OK {AuthServer.User}:", await postfix.ReplyAsync(), StringComparison.Ordinal);
        Assert.Equal("NOTFOUND ", await postfix.ReplyAsync());
    }

    [Fact]
    public async Task A_claimed_key_without_a_usable_token_is_TEMP_so_Postfix_defers_instead_of_bouncing()
    {
        var account = await Daemon.AddAccountAsync(Server);
        using var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);

        var reply = await postfix.AskAsync("sasl", AuthServer.User);

        Assert.StartsWith("TEMP ", reply, StringComparison.Ordinal);
        Assert.Contains($"tokenbroker consent {account.Name}", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_of_an_account_that_needs_consent_is_never_served()
    {
        var entry = await Daemon.ConsentAsync(Server);
        await Daemon.Store.UpdateGrantAsync(entry.Account.Name, g => g with { State = GrantState.NeedsConsent, LastError = "invalid_grant" }, CancellationToken.None);
        using (var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket))
        {
            Assert.StartsWith("OK ", await postfix.AskAsync("sasl", AuthServer.User), StringComparison.Ordinal);
        }

        Daemon.Clock.Advance(entry.Grant.ExpiresAt!.Value - Daemon.Clock.GetUtcNow());

        using var later = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);
        Assert.StartsWith("TEMP account work needs consent", await later.AskAsync("sasl", AuthServer.User), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_relay_map_answers_each_sender_with_its_account_next_hop()
    {
        await Daemon.AddAccountAsync(Server, "gmail", ProviderKind.Google, ["ops@example.test"]);
        await Daemon.AddAccountAsync(Server, "own", matchKeys: ["billing@example.test", "[mail.example.test]:2525"]);
        using var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);

        Assert.Equal("OK [smtp.gmail.com]:587", await postfix.AskAsync("relay", "OPS@example.test"));
        Assert.Equal("OK [mail.example.test]:2525", await postfix.AskAsync("relay", "billing@example.test"));
        Assert.Equal("NOTFOUND ", await postfix.AskAsync("relay", "stranger@example.test"));
    }

    [Fact]
    public async Task A_key_two_accounts_claim_alike_is_TEMP_naming_both_while_an_explicit_claim_beats_a_provider_host()
    {
        await Daemon.AddAccountAsync(Server, "first", ProviderKind.Google, ["shared@example.test"]);
        await Daemon.AddAccountAsync(Server, "second", ProviderKind.Google, ["shared@example.test"]);
        await Daemon.AddAccountAsync(Server, "third", matchKeys: ["smtp.gmail.com"]);
        using var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);

        var shared = await postfix.AskAsync("sasl", "shared@example.test");
        var host = await postfix.AskAsync("sasl", "[smtp.gmail.com]:587");
        var claimedHost = await postfix.AskAsync("sasl", "smtp.gmail.com");

        Assert.StartsWith("TEMP accounts first, second all claim this key", shared, StringComparison.Ordinal);
        Assert.StartsWith("TEMP accounts first, second", host, StringComparison.Ordinal);
        Assert.StartsWith("TEMP account third needs consent", claimedHost, StringComparison.Ordinal);
        Assert.Contains("shared@example.test is claimed by accounts first, second", Daemon.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accounts_added_and_removed_after_the_first_lookup_are_seen_at_once()
    {
        using var postfix = await SocketmapClient.ConnectAsync(Daemon.PostfixSocket);
        Assert.Equal("NOTFOUND ", await postfix.AskAsync("sasl", AuthServer.User));

        var entry = await Daemon.ConsentAsync(Server);
        Assert.StartsWith("OK ", await postfix.AskAsync("sasl", AuthServer.User), StringComparison.Ordinal);

        await Daemon.Store.RemoveAsync(entry.Account.Name, CancellationToken.None);
        Assert.Equal("NOTFOUND ", await postfix.AskAsync("sasl", AuthServer.User));
    }

    [Fact]
    public async Task The_optional_TCP_listener_on_127_0_0_1_answers_like_the_socket()
    {
        var port = FreePorts.Take(1)[0];
        await using var daemon = await InProcessDaemon.StartAsync(new Dictionary<string, string?> { ["TokenBroker:Postfix:Port"] = port.ToString(CultureInfo.InvariantCulture) });
        await daemon.AddAccountAsync(Server, matchKeys: ["[smtp.example.test]:587"]);
        using var postfix = await SocketmapClient.ConnectAsync(port);

        Assert.StartsWith("TEMP account work needs consent", await postfix.AskAsync("sasl", "[smtp.example.test]:587"), StringComparison.Ordinal);
        Assert.Equal("NOTFOUND ", await postfix.AskAsync("sasl", "smtp.other.test"));
        Assert.Contains($"Postfix lookups on unix:{daemon.PostfixSocket} and 127.0.0.1:{port}", daemon.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_socket_is_open_to_owner_and_group_only()
    {
        var mode = File.GetUnixFileMode(Daemon.PostfixSocket);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }
}
