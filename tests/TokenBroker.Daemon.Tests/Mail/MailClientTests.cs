using TokenBroker.Core.Accounts;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Mail;

/// <summary>
/// Real mail clients with the files in contrib/, as they are, against Dovecot and Postfix checking
/// every token at the test authorization server. Each file is changed only where a test must: the
/// server, port, TLS and user of the lab, added after the file (or, for mbsync, which has no
/// overrides, replaced line by line, each replacement checked to exist).
/// </summary>
public sealed class MailClientTests : DaemonWithServer, IDisposable
{
    private readonly TempDirectory _home = new();

    [Theory]
    [InlineData("xoauth2", "XOAUTH2")]
    [InlineData("oauthbearer", "OAUTHBEARER")]
    public async Task Msmtp_sends_with_the_token_tokenbroker_prints(string auth, string method)
    {
        // Postfix smtpd rather than Dovecot submission: msmtp sends the OAUTHBEARER response on the AUTH
        // line itself, and Dovecot's submission-login takes lines of about 1 KB only ("Line too long").
        await using var lab = await StartLabAsync();
        var config = WriteConfig(
            "msmtprc",
            Contrib("msmtp", "msmtprc") + $"\naccount test : gmail\nhost 127.0.0.1\nport {lab.AuthSmtpdPort}\ntls off\nauth {auth}\nuser {AuthServer.User}\nfrom {AuthServer.User}\n");

        var sent = await RunAsync("msmtp", ["-C", config, "-a", "test", "inbox@example.test"], Message("by msmtp"));

        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Equal(["by msmtp"], await lab.WaitForDeliveriesAsync(1));
        Assert.Contains($"sasl_method={method}, sasl_username={AuthServer.User}", lab.ServerLog, StringComparison.Ordinal);
        Assert.Empty(Server.Issued.FoundIn(sent.ToString() + lab.Logs()));
    }

    [Fact]
    public async Task Mutt_sends_over_smtp_and_files_a_copy_over_imap_with_the_refresh_commands()
    {
        await using var lab = await StartLabAsync();

        var sent = await SendWithMuttAsync(lab, "mutt");

        Assert.Contains($"sasl_method=OAUTHBEARER, sasl_username={AuthServer.User}", lab.ServerLog, StringComparison.Ordinal);
        // mutt uses OAuth2 for IMAP only over TLS: the copy goes through Dovecot's STARTTLS.
        Assert.True(lab.Mailbox().SequenceEqual(["by mutt", "by mutt"]), $"no copy filed over IMAP: {sent}\n{lab.Logs()}");
        Assert.Contains($"Login: user=<{AuthServer.User}>, method=OAUTHBEARER", lab.DovecotLog, StringComparison.Ordinal);
    }

    /// <summary>
    /// NeoMutt (Debian 12: 20220429) refuses an OAUTHBEARER token over 512 bytes ("OAUTH token is too big")
    /// and goes on to XOAUTH2, the next in the list; the test server's tokens are about 1 KB, like
    /// Microsoft's. It skips an IMAP Fcc in batch mode, so its IMAP login is not exercised here.
    /// </summary>
    [Fact]
    public async Task Neomutt_sends_over_smtp_falling_back_to_xoauth2_for_a_large_token()
    {
        await using var lab = await StartLabAsync();

        await SendWithMuttAsync(lab, "neomutt");

        Assert.Contains($"sasl_method=XOAUTH2, sasl_username={AuthServer.User}", lab.ServerLog, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("XOAUTH2")]
    [InlineData("OAUTHBEARER")]
    public async Task Mbsync_syncs_the_mailbox_through_the_sasl_plugin_with_passcmd(string mechanism)
    {
        await using var lab = await StartLabAsync();
        await lab.PutInMailboxAsync("for mbsync");
        var config = WriteConfig("mbsyncrc", Replace(
            Contrib("mbsync", "mbsyncrc"),
            ("Host imap.gmail.com", $"Host 127.0.0.1\nPort {lab.ImapPort}"),
            ("SSLType IMAPS", "SSLType None"),
            ("User you@gmail.com", $"User {AuthServer.User}"),
            ("AuthMechs XOAUTH2", $"AuthMechs {mechanism}"),
            ("~/Mail/", $"{_home.Path}/Mail/")));

        Directory.CreateDirectory(_home.Combine("Mail", "gmail"));
        var synced = await RunAsync("mbsync", ["-c", config, "gmail"], saslPlugins: lab.SaslPlugins);

        Assert.True(synced.ExitCode == 0, $"{synced}\n{lab.Logs()}");
        Assert.Equal(["for mbsync"], MailLab.Subjects(_home.Combine("Mail", "gmail", "INBOX", "new")).Concat(MailLab.Subjects(_home.Combine("Mail", "gmail", "INBOX", "cur"))));
        Assert.Contains($"Login: user=<{AuthServer.User}>, method={mechanism}", lab.DovecotLog, StringComparison.Ordinal);
        Assert.Empty(Server.Issued.FoundIn(synced.ToString() + lab.Logs()));
    }

    [Fact]
    public async Task Curl_logs_in_to_imap_with_the_token_file()
    {
        var tokens = Path.Combine(Daemon.StateDirectory, "tokens");
        Directory.CreateDirectory(tokens);
        var tokenFile = Path.Combine(tokens, "gmail.token");
        await using var lab = await StartLabAsync(new TokenFileSettings { Path = tokenFile });
        await lab.PutInMailboxAsync("for curl");

        var status = await Command.RunAsync(
            Path.Combine(BuiltPrograms.Repository, "contrib", "curl", "imap-status"),
            [tokenFile, AuthServer.User, $"imap://127.0.0.1:{lab.ImapPort}/"]);

        Assert.True(status.ExitCode == 0, $"{status}\n{lab.Logs()}");
        Assert.Contains("MESSAGES 1 UNSEEN 1)", status.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Login: user=<{AuthServer.User}>, method=OAUTHBEARER", lab.DovecotLog, StringComparison.Ordinal);
        Assert.Empty(Server.Issued.FoundIn(status.ToString() + lab.Logs()));
    }

    public void Dispose() => _home.Dispose();

    /// <summary>Sends one message with mutt or NeoMutt in batch mode, contrib/mutt/muttrc pointed at the lab.</summary>
    private async Task<CommandResult> SendWithMuttAsync(MailLab lab, string mutt)
    {
        var config = WriteConfig(
            "muttrc",
            Contrib("mutt", "muttrc") + $"""

            set imap_user = "{AuthServer.User}"
            set folder = "imap://127.0.0.1:{lab.ImapPort}/"
            set record = "+INBOX"
            set smtp_url = "smtp://{Uri.EscapeDataString(AuthServer.User)}@127.0.0.1:{lab.AuthSmtpdPort}/"
            set ssl_force_tls = no
            set ssl_ca_certificates_file = "{lab.TlsCertificate}"
            set from = "{AuthServer.User}"

            """);

        var sent = await RunAsync(mutt, ["-n", "-F", config, "-s", $"by {mutt}", "inbox@example.test"], $"Sent by {mutt}.\n");

        Assert.True(sent.ExitCode == 0, $"{sent}\n{lab.Logs()}");
        Assert.Equal([$"by {mutt}"], await lab.WaitForDeliveriesAsync(1));
        Assert.Empty(Server.Issued.FoundIn(sent.ToString() + lab.Logs()));
        return sent;
    }

    private static string Contrib(params string[] path) => File.ReadAllText(Path.Combine([BuiltPrograms.Repository, "contrib", .. path]));

    private static string Message(string subject) => $"From: {AuthServer.User}\nTo: inbox@example.test\nSubject: {subject}\n\nSent by a mail client.\n";

    private static string Replace(string text, params (string Old, string New)[] replacements)
    {
        foreach (var (old, replacement) in replacements)
        {
            Assert.Contains(old, text, StringComparison.Ordinal);
            text = text.Replace(old, replacement, StringComparison.Ordinal);
        }

        return text;
    }

    private async Task<MailLab> StartLabAsync(TokenFileSettings? tokenFile = null)
    {
        var lab = MailLab.Create();
        try
        {
            await Daemon.ConsentAsync(Server, "gmail", tokenFile: tokenFile);
            await lab.StartAsync(Server, Daemon.PostfixSocket, new MailLabOptions());
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes a client's configuration into the client's home, readable by its owner only (msmtp insists).</summary>
    private string WriteConfig(string name, string text)
    {
        var path = _home.Combine(name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>
    /// Runs a mail client in its own home, with <c>tokenbroker</c> on its PATH as <c>make install</c> puts
    /// it there (here the CLI run by dotnet), talking to the test daemon's admin socket.
    /// </summary>
    private async Task<CommandResult> RunAsync(string client, string[] arguments, string? input = null, string? saslPlugins = null)
    {
        var bin = _home.Combine("bin");
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "tokenbroker");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet {BuiltPrograms.Cli} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_000_000);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _home.Path,
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["TOKENBROKER_ADMIN_SOCKET"] = Path.Combine(Daemon.StateDirectory, "admin.sock"),
        };
        if (saslPlugins is not null)
        {
            environment["SASL_PATH"] = saslPlugins;
        }

        return await Command.RunAsync(client, arguments, environment, input: input);
    }
}
