using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Mail;

/// <summary>
/// A real msmtp with contrib/msmtp/msmtprc sends through Postfix smtpd (Dovecot checking the token), its password taken
/// from <c>tokenbroker token</c> for each message. The file is used as it is, with one account added
/// that inherits its <c>gmail</c> account and sets the server, port, TLS and user of the test.
/// </summary>
public sealed class MsmtpTests : DaemonWithServer
{
    [Theory]
    [InlineData("xoauth2", "XOAUTH2")]
    [InlineData("oauthbearer", "OAUTHBEARER")]
    public async Task Msmtp_sends_with_the_token_tokenbroker_prints(string auth, string method)
    {
        // Postfix smtpd rather than Dovecot submission: msmtp sends the OAUTHBEARER response on the AUTH
        // line itself, and Dovecot's submission-login takes lines of about 1 KB only ("Line too long").
        await using var lab = MailLab.Create();
        await Daemon.ConsentAsync(Server, "gmail");
        await lab.StartAsync(Server, Daemon.PostfixSocket, new MailLabOptions());
        using var bin = new TempDirectory();
        var config = bin.Combine("msmtprc");
        File.WriteAllText(
            config,
            File.ReadAllText(Path.Combine(BuiltPrograms.Repository, "contrib", "msmtp", "msmtprc"))
            + $"\naccount test : gmail\nhost 127.0.0.1\nport {lab.AuthSmtpdPort}\ntls off\nauth {auth}\nuser {AuthServer.User}\nfrom {AuthServer.User}\n");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // What `make install` puts on PATH: the CLI, here run by dotnet.
        File.WriteAllText(bin.Combine("tokenbroker"), $"#!/bin/sh\nexec dotnet {BuiltPrograms.Cli} \"$@\"\n");
        File.SetUnixFileMode(bin.Combine("tokenbroker"), (UnixFileMode)0b111_000_000);

        var sent = await Command.RunAsync(
            "msmtp",
            ["-C", config, "-a", "test", "inbox@example.test"],
            new Dictionary<string, string>
            {
                ["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}",
                ["TOKENBROKER_ADMIN_SOCKET"] = Path.Combine(Daemon.StateDirectory, "admin.sock"),
            },
            input: $"From: {AuthServer.User}\nTo: inbox@example.test\nSubject: by msmtp\n\nSent by msmtp.\n");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Equal(["by msmtp"], await lab.WaitForDeliveriesAsync(1));
        Assert.Contains($"sasl_method={method}, sasl_username={AuthServer.User}", lab.ServerLog, StringComparison.Ordinal);
        Assert.Empty(Server.Issued.FoundIn(sent.ToString() + lab.Logs()));
    }
}
