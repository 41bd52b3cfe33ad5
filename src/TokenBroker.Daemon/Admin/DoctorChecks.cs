using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Daemon.Postfix;
using TokenBroker.Storage.Postgres;

namespace TokenBroker.Daemon.Admin;

/// <summary>
/// What only the daemon can check about itself for <c>tokenbroker doctor</c>: the modes of its
/// files and sockets, whether user <c>postfix</c> can reach the lookup socket, its clock against
/// a provider's, and every account's state; each problem with the command that fixes it.
/// </summary>
internal sealed class DoctorChecks(
    StateLayout layout,
    IOptions<BrokerOptions> broker,
    AdminSocketPath adminSocket,
    IServiceProvider services,
    AccountReports reports,
    HttpClient http,
    TimeProvider time)
{
    private const UnixFileMode OthersAndGroup = (UnixFileMode)0b000_111_111;
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(30);

    public async Task<DoctorReport> RunAsync(CancellationToken cancellationToken)
    {
        var shared = services.GetService<PostgresGrantStore>();
        var findings = new List<Finding>
        {
            Private("state directory", layout.Directory, $"chmod 700 {layout.Directory}"),
            shared is null ? Private("store file", layout.StoreFile, $"chmod 600 {layout.StoreFile}") : SharedStore(shared),
            Key(),
            Socket("admin socket", adminSocket.Path),
        };
        if (services.GetService<PostfixSocketPath>() is { } postfix)
        {
            findings.Add(Socket("postfix socket", postfix.Path));
            findings.Add(PostfixReach(postfix.Path, Posix.Identity("postfix")));
        }

        try
        {
            var report = await reports.AllAsync(cancellationToken).ConfigureAwait(false);
            findings.Add(await ClockAsync(cancellationToken).ConfigureAwait(false));
            findings.AddRange(report.Accounts.Select(a => Account(a, report.Now)));
        }
        catch (IOException ex)
        {
            findings.Add(new Finding("accounts", Finding.Fail, $"the store cannot be read: {ex.Message}", shared is null
                ? "check the disk of the state directory (df, dmesg); tokenbroker restore a backup if the store is damaged"
                : "bring PostgreSQL back or make it reachable from this node; meanwhile the node serves the tokens it has cached"));
        }

        return new DoctorReport(findings);
    }

    /// <summary>The shared store: where it is, and whether its change feed listens (without it, other nodes' refreshes are heard late).</summary>
    private static Finding SharedStore(PostgresGrantStore store) => (store.FeedListening, store.FeedProblem) switch
    {
        (true, _) => new Finding("store", Finding.Ok, $"{store.Location}, shared; change feed listening"),
        (false, null) => new Finding("store", Finding.Warn, $"{store.Location}, shared; the change feed is connecting"),
        (false, { } problem) => new Finding("store", Finding.Fail, $"{store.Location}: the change feed is not listening ({problem})", "bring PostgreSQL back or make it reachable from this node"),
    };

    private static Finding Private(string check, string path, string fix)
    {
        if (!Path.Exists(path))
        {
            return new Finding(check, Finding.Fail, $"{path} does not exist", "restart tokenbrokerd");
        }

        var mode = File.GetUnixFileMode(path);
        return (mode & OthersAndGroup) == 0
            ? new Finding(check, Finding.Ok, $"{path}, mode {PrivateFiles.Octal(mode)}")
            : new Finding(check, Finding.Fail, $"{path} is mode {PrivateFiles.Octal(mode)}: others can reach it", fix);
    }

    private Finding Key()
    {
        var source = MasterKeySource.Resolve(broker.Value.MasterKeyFile, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"), layout);
        var finding = Private("master key", source.Path, $"chmod 600 {source.Path}");
        return finding.Status == Finding.Ok && source.Path == layout.DefaultKeyFile
            ? finding with { Status = Finding.Warn, Detail = $"{finding.Detail}, beside the store: a copy of the directory carries both", Fix = "give the key as a systemd credential (LoadCredentialEncrypted=tokenbroker.key) or keep it elsewhere (MasterKeyFile)" }
            : finding;
    }

    private static Finding Socket(string check, string path)
    {
        var owner = Posix.Owner(path);
        return owner is null
            ? new Finding(check, Finding.Fail, $"{path} does not exist", "restart tokenbrokerd")
            : new Finding(check, Finding.Ok, $"{path}, mode {PrivateFiles.Octal(File.GetUnixFileMode(path))}, owner {owner.Value.User}:{owner.Value.Group}");
    }

    /// <summary>
    /// Whether user postfix (its proxymap, which makes the lookups) may pass every directory to the
    /// socket and write to it. Only its primary group counts: Postfix's daemons drop every
    /// supplementary group when they give up root (set_ugid(3) leaves "just the user's primary group").
    /// </summary>
    internal static Finding PostfixReach(string socket, (uint User, uint Group)? postfix)
    {
        const string Check = "postfix can reach";
        if (postfix is not var (uid, gid))
        {
            return new Finding(Check, Finding.Warn, "there is no user postfix on this machine");
        }

        if (!Path.Exists(socket))
        {
            return new Finding(Check, Finding.Fail, $"{socket} does not exist", "restart tokenbrokerd");
        }

        var fix = "set TokenBroker:Postfix:SocketGroup to postfix's own group, not one it is a member of (and keep every directory on the way searchable)";
        for (var directory = Path.GetDirectoryName(socket); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (!Allowed(directory, uid, gid, UnixFileMode.UserExecute, UnixFileMode.GroupExecute, UnixFileMode.OtherExecute))
            {
                return new Finding(Check, Finding.Fail, $"user postfix cannot pass directory {directory} on the way to {socket}", fix);
            }
        }

        return Allowed(socket, uid, gid, UnixFileMode.UserWrite, UnixFileMode.GroupWrite, UnixFileMode.OtherWrite)
            ? new Finding(Check, Finding.Ok, $"user postfix can connect to {socket}")
            : new Finding(Check, Finding.Fail, $"user postfix may not connect to {socket}", fix);
    }

    private static bool Allowed(string path, uint uid, uint gid, UnixFileMode user, UnixFileMode group, UnixFileMode other)
    {
        if (uid == 0)
        {
            return true;
        }

        var (owner, ownerGroup) = Posix.Owner(path) ?? (uint.MaxValue, uint.MaxValue);
        var mode = File.GetUnixFileMode(path);
        return owner == uid ? (mode & user) != 0 : gid == ownerGroup ? (mode & group) != 0 : (mode & other) != 0;
    }

    /// <summary>The daemon's clock against the <c>Date</c> of an account's provider: refresh planning and token expiry depend on it.</summary>
    private async Task<Finding> ClockAsync(CancellationToken cancellationToken)
    {
        const string Check = "clock";
        var listing = await services.GetRequiredService<Core.Storage.IGrantStore>().ListAsync(cancellationToken).ConfigureAwait(false);
        if (listing.Accounts.Select(e => ProviderUrl(e.Account)).FirstOrDefault() is not { } url)
        {
            return new Finding(Check, Finding.Warn, "no account, so no provider to compare the clock with");
        }

        DateTimeOffset? theirs;
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            theirs = response.Headers.Date;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new Finding(Check, Finding.Warn, $"could not ask {url.Host} for its time: {ex.Message}");
        }

        if (theirs is not { } date)
        {
            return new Finding(Check, Finding.Warn, $"{url.Host} sent no Date header to compare with");
        }

        var skew = time.GetUtcNow() - date;
        return skew.Duration() <= ClockTolerance
            ? new Finding(Check, Finding.Ok, $"within {ClockTolerance.TotalSeconds:F0} s of {url.Host}")
            : new Finding(Check, Finding.Fail, $"{(skew > TimeSpan.Zero ? "ahead of" : "behind")} {url.Host} by {skew.Duration():g}: tokens would be refreshed at the wrong times", "synchronise the clock (systemd-timesyncd or chrony)");
    }

    private static Uri? ProviderUrl(Account account) => account.Provider.Kind switch
    {
        ProviderKind.Google => ProviderPresets.GoogleToken,
        ProviderKind.Microsoft => account.Provider.Issuer ?? ProviderPresets.MicrosoftAuthority(account.Provider.Tenant),
        _ => account.Provider.TokenEndpoint ?? account.Provider.Issuer,
    };

    private static Finding Account(AccountStatus status, DateTimeOffset now)
    {
        var check = $"account {status.Name}";
        return status.State switch
        {
            "active" => new Finding(check, Finding.Ok, status.ExpiresAt is { } at ? $"active, token valid for {(at - now).TotalMinutes:F0} more minutes" : "active"),
            "failing" => new Finding(check, Finding.Warn, $"refreshes are failing and being retried: {status.LastError}", "see the daemon's log; the provider may be down"),
            "unreadable" => new Finding(check, Finding.Fail, $"its secrets cannot be read ({status.LastError})", $"restore the store from a backup, or remove and add it again: tokenbroker account remove {status.Name}"),
            _ => new Finding(check, Finding.Fail, status.LastError is null ? "needs consent" : $"needs consent ({status.LastError})", $"tokenbroker consent {status.Name}"),
        };
    }
}
