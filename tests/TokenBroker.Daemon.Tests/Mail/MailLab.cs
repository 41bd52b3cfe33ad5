using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using TokenBroker.TestAuthServer;
using TokenBroker.TestUtils;

namespace TokenBroker.Daemon.Tests.Mail;

/// <summary>How the Postfix client reaches the token: which server takes the AUTH, how the map is named.</summary>
/// <param name="AuthAtPostfix">True: AUTH at a Postfix smtpd using Dovecot SASL; false: at Dovecot submission.</param>
/// <param name="SenderDependent">Sets <c>smtp_sender_dependent_authentication = yes</c>.</param>
public sealed record MailLabOptions(bool AuthAtPostfix = false, bool SenderDependent = false);

/// <summary>
/// Real mail software on 127.0.0.1, private instances in a temporary directory: Dovecot (IMAP and
/// submission, tokens checked by introspection at the test authorization server), a Postfix
/// server instance that delivers to a maildir (and offers AUTH through Dovecot SASL), and the
/// Postfix client instance under test, which relays through Dovecot (or the server's smtpd) with
/// the token the broker's socketmap gives it, sent by the project's SASL plugin.
/// </summary>
public sealed class MailLab : IAsyncDisposable
{
    private static readonly TimeSpan DeliveryWait = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();
    private readonly Dictionary<string, string> _values;

    private MailLab(int[] ports)
    {
        // The mail daemons' own users must reach into it.
        File.SetUnixFileMode(_directory.Path, (UnixFileMode)0b111_101_101);
        (ImapPort, SubmissionPort, RelayPort, AuthSmtpdPort) = (ports[0], ports[1], ports[2], ports[3]);
        _values = new Dictionary<string, string>
        {
            ["T"] = _directory.Path,
            ["INSTANCE"] = "tokenbroker-" + System.IO.Path.GetFileName(_directory.Path),
            ["IMAP_PORT"] = Text(ImapPort),
            ["SUBMISSION_PORT"] = Text(SubmissionPort),
            ["RELAY_PORT"] = Text(RelayPort),
            ["AUTH_SMTPD_PORT"] = Text(AuthSmtpdPort),
            ["INJECT_PORT"] = Text(ports[4]),
        };
    }

    public int ImapPort { get; }

    public int SubmissionPort { get; }

    public int RelayPort { get; }

    public int AuthSmtpdPort { get; }

    /// <summary>A directory the broker's socket can live in: Postfix's smtp(8) runs as user postfix and must reach it.</summary>
    public string SocketDirectory => _directory.Combine("broker");

    public string Maildir => _directory.Combine("mail", "maildir", "new");

    /// <summary>Dovecot's self-signed certificate for 127.0.0.1, for a client to trust.</summary>
    public string TlsCertificate => _directory.Combine("dovecot", "tls.crt");

    /// <summary>The directory of the project's SASL plugin, built by <see cref="StartAsync"/>; a client finds it through <c>SASL_PATH</c>.</summary>
    public string SaslPlugins => _directory.Combine("sasl");

    private string Client => _directory.Combine("pf-client");

    private string Server => _directory.Combine("pf-server");

    /// <summary>Creates the directory and picks the ports; nothing runs yet.</summary>
    public static MailLab Create()
    {
        var lab = new MailLab(FreePorts.Take(5));
        Directory.CreateDirectory(lab.SocketDirectory, (UnixFileMode)0b111_101_101);
        return lab;
    }

    /// <summary>The next-hop the client relays to, as Postfix writes it (and looks it up).</summary>
    public string NextHop(MailLabOptions options) => $"[127.0.0.1]:{(options.AuthAtPostfix ? AuthSmtpdPort : SubmissionPort)}";

    /// <summary>Builds the SASL plugin, writes every configuration and starts Dovecot and both Postfix instances.</summary>
    public async Task StartAsync(AuthServer server, string brokerSocket, MailLabOptions options)
    {
        Check(await Command.RunAsync("make", ["-s", "-C", System.IO.Path.Combine(BuiltPrograms.Repository, "contrib", "sasl-xoauth2"), $"O={SaslPlugins}", "all"]), "building the SASL plugin");
        var (uid, gid) = (await IdAsync("-u"), await IdAsync("-g"));
        _values["DOVECOT_UID"] = uid;
        _values["DOVECOT_GID"] = gid;
        _values["INTROSPECTION_URL"] = $"http://{AuthServer.IntrospectionClient}:{AuthServer.IntrospectionSecret}@{server.BaseUri.Authority}/connect/introspect";
        _values["NEXTHOP"] = NextHop(options);
        _values["SASL_MAP"] = $"proxy:socketmap:unix:{brokerSocket}:sasl";
        _values["SASL_PATH"] = SaslPlugins;
        _values["SENDER_DEPENDENT"] = options.SenderDependent ? "yes" : "no";

        var dovecot = _directory.Combine("dovecot");
        Directory.CreateDirectory(dovecot);
        Directory.CreateDirectory(_directory.Combine("mail"));
        Check(await Command.RunAsync("chown", ["dovecot:dovecot", _directory.Combine("mail")]), "chown of the mail directory");
        Check(
            await Command.RunAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", System.IO.Path.Combine(dovecot, "tls.key"), "-out", TlsCertificate]),
            "making Dovecot's certificate");
        Fill(["dovecot.conf"], System.IO.Path.Combine(dovecot, "dovecot.conf"));
        Fill(["dovecot-oauth2.conf.ext"], System.IO.Path.Combine(dovecot, "dovecot-oauth2.conf.ext"));
        // No growing delay after failed logins from 127.0.0.1 (see dovecot.conf).
        File.WriteAllText(System.IO.Path.Combine(dovecot, "nodelay.passwd"), "127.0.0.1:::::::nodelay=yes\n");
        await StartDaemonAsync("starting Dovecot", "/usr/sbin/dovecot", "-c", System.IO.Path.Combine(dovecot, "dovecot.conf"));
        await WaitForPortAsync(SubmissionPort);
        await WaitForPortAsync(ImapPort);

        await StartPostfixAsync(Server, "server");
        await StartPostfixAsync(Client, "client");
    }

    /// <summary>Hands a message to the client instance with sendmail(1); the recipient's local part picks the mechanism (xoauth2@ or oauthbearer@).</summary>
    public async Task SendAsync(string sender, string recipient, string subject)
    {
        var message = $"From: {sender}\nTo: {recipient}\nSubject: {subject}\n\nSent through TokenBroker.\n";
        Check(await Command.RunAsync("/usr/sbin/sendmail", ["-C", Conf(Client), "-f", sender, recipient], input: message), "sendmail");
    }

    /// <summary>The subjects of the messages delivered so far (and not yet seen by an IMAP client).</summary>
    public IReadOnlyList<string> Delivered() => Subjects(Maildir);

    /// <summary>The subjects of every message in the mailbox, seen or not.</summary>
    public IReadOnlyList<string> Mailbox() => [.. Delivered().Concat(Subjects(_directory.Combine("mail", "maildir", "cur"))).Order(StringComparer.Ordinal)];

    /// <summary>Puts a message straight into the mailbox, as a delivery would.</summary>
    public async Task PutInMailboxAsync(string subject)
    {
        var message = _directory.Combine("message");
        File.WriteAllText(message, $"From: someone@example.test\nTo: {AuthServer.User}\nSubject: {subject}\n\nPut in the mailbox.\n");
        var maildir = _directory.Combine("mail", "maildir");
        Check(await Command.RunAsync("install", ["-d", "-o", "dovecot", "-g", "dovecot", "-m", "0700", maildir, .. new[] { "new", "cur", "tmp" }.Select(d => System.IO.Path.Combine(maildir, d))]), "creating the maildir");
        Check(await Command.RunAsync("install", ["-o", "dovecot", "-g", "dovecot", "-m", "0600", message, System.IO.Path.Combine(Maildir, $"{Guid.NewGuid():N}.test")]), "putting a message in the mailbox");
    }

    /// <summary>The subjects of the messages in a maildir's <c>new</c> or <c>cur</c> directory, sorted.</summary>
    public static IReadOnlyList<string> Subjects(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory).Select(f => File.ReadLines(f).First(l => l.StartsWith("Subject: ", StringComparison.Ordinal))["Subject: ".Length..]).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Waits until <paramref name="count"/> messages are delivered (fails after a minute).</summary>
    public async Task<IReadOnlyList<string>> WaitForDeliveriesAsync(int count)
    {
        await WaitUntilAsync(() => Task.FromResult(Delivered().Count >= count), $"{count} messages delivered");
        return Delivered();
    }

    /// <summary>Waits until the client's queue holds <paramref name="count"/> deferred messages.</summary>
    public Task WaitForDeferredAsync(int count) =>
        WaitUntilAsync(async () => (await QueueAsync()).Count(q => q == "deferred") >= count, $"{count} messages deferred");

    /// <summary>Asks the client to try its deferred mail now (postqueue -f).</summary>
    public async Task FlushAsync() => Check(await Command.RunAsync("/usr/sbin/postqueue", ["-c", Conf(Client), "-f"]), "postqueue -f");

    /// <summary>Messages in the client's queue.</summary>
    public async Task<int> QueuedAsync() => (await QueueAsync()).Count;

    public string DovecotLog => Read(_directory.Combine("dovecot", "dovecot.log"));

    public string ClientLog => Read(System.IO.Path.Combine(Client, "postfix.log"));

    public string ServerLog => Read(System.IO.Path.Combine(Server, "postfix.log"));

    /// <summary>Every log of the lab, for failure messages and secret scans.</summary>
    public string Logs() => $"--- dovecot\n{DovecotLog}\n--- postfix client\n{ClientLog}\n--- postfix server\n{ServerLog}";

    public async ValueTask DisposeAsync()
    {
        // Whatever got started, also by a start that failed half way: each master's group is stopped.
        var pidFiles = new[] { System.IO.Path.Combine(Client, "queue", "pid", "master.pid"), System.IO.Path.Combine(Server, "queue", "pid", "master.pid"), _directory.Combine("dovecot", "run", "master.pid") };
        foreach (var pidFile in pidFiles.Where(File.Exists))
        {
            // A Postfix master holds a lock on its pid file, which .NET's own reader would respect.
            if (int.TryParse((await Command.RunAsync("cat", [pidFile])).Stdout.Trim(), CultureInfo.InvariantCulture, out var master))
            {
                await ProcessGroup.StopAsync(master);
            }
        }

        _directory.Dispose();
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var limit = TimeProvider.System.GetUtcNow() + DeliveryWait;
        while (!await condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < limit, $"not {what} after {DeliveryWait}\n{Logs()}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
    }

    private async Task<List<string>> QueueAsync()
    {
        var queue = await Command.RunAsync("/usr/sbin/postqueue", ["-c", Conf(Client), "-j"]);
        Check(queue, "postqueue -j");
        return [.. queue.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("queue_name").GetString()!)];
    }

    private async Task StartPostfixAsync(string instance, string role)
    {
        var conf = Conf(instance);
        Directory.CreateDirectory(conf);
        _values["DIR"] = instance;
        Fill(["postfix-main.cf", $"{role}-main.cf"], System.IO.Path.Combine(conf, "main.cf"));
        Fill(["postfix-master.cf", $"{role}-master.cf"], System.IO.Path.Combine(conf, "master.cf"));
        // Postfix waits for a main.cf written within the last second to "cool down"; skip that wait.
        var past = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-1);
        File.SetLastWriteTimeUtc(System.IO.Path.Combine(conf, "main.cf"), past);
        File.SetLastWriteTimeUtc(System.IO.Path.Combine(conf, "master.cf"), past);

        // What `postfix start` would create (post-install takes seconds), then the master, which
        // returns once it listens (-w) or says why it could not in its log.
        var queue = System.IO.Path.Combine(instance, "queue");
        await InstallDirectoryAsync("root", "root", "0755", queue, System.IO.Path.Combine(queue, "pid"));
        await InstallDirectoryAsync("postfix", "root", "0700", [.. "active bounce corrupt defer deferred flush hold incoming private saved trace".Split(' ').Select(d => System.IO.Path.Combine(queue, d)), System.IO.Path.Combine(instance, "data")]);
        await InstallDirectoryAsync("postfix", "postdrop", "0730", System.IO.Path.Combine(queue, "maildrop"));
        await InstallDirectoryAsync("postfix", "postdrop", "2710", System.IO.Path.Combine(queue, "public"));
        await StartDaemonAsync($"starting the Postfix {role} instance", "/usr/lib/postfix/sbin/master", "-c", conf, "-w");
    }

    /// <summary>
    /// Runs a program that starts a daemon. Its output goes to a file: the daemon it leaves behind
    /// would hold a pipe open for as long as it runs.
    /// </summary>
    private async Task StartDaemonAsync(string what, string program, params string[] arguments)
    {
        var output = _directory.Combine("start.log");
        var result = await Command.RunAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" >> \"$START_LOG\" 2>&1 < /dev/null", program, .. arguments], new Dictionary<string, string> { ["START_LOG"] = output });
        Assert.True(result.ExitCode == 0, $"{what} failed (exit {result.ExitCode}): {Read(output)}\n{Logs()}");
    }

    private static async Task InstallDirectoryAsync(string owner, string group, string mode, params string[] paths) =>
        Check(await Command.RunAsync("install", ["-d", "-o", owner, "-g", group, "-m", mode, .. paths]), "creating a Postfix queue directory");

    private void Fill(string[] templates, string target)
    {
        var text = string.Concat(templates.Select(t => File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "Mail", "Config", t))));
        foreach (var (name, value) in _values)
        {
            text = text.Replace($"@{name}@", value, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch("@[A-Z_]+@", text);
        File.WriteAllText(target, text);
    }

    private static string Conf(string instance) => System.IO.Path.Combine(instance, "conf");

    private static async Task<string> IdAsync(string which) => (await Command.RunAsync("id", [which, "dovecot"])).Stdout.Trim();

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : string.Empty;

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Check(CommandResult result, string what) => Assert.True(result.ExitCode == 0, $"{what} failed: {result}");

    private static async Task WaitForPortAsync(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (attempt < 200)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
            }
        }
    }
}
