using TokenBroker.Core;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.TokenFiles;

namespace TokenBroker.Daemon;

/// <summary>An account declared in the configuration (<c>TokenBroker:Accounts:NAME</c>): the settings of <c>account add</c>, the client secret only by file.</summary>
internal sealed class DeclaredAccount
{
    public string? Provider { get; set; }

    public string? Username { get; set; }

    public string? ClientId { get; set; }

    /// <summary>A file holding the client secret, readable by the daemon and not by others.</summary>
    public string? ClientSecretFile { get; set; }

    public string? Tenant { get; set; }

    public string? Issuer { get; set; }

    public string? AuthorizeUrl { get; set; }

    public string? TokenUrl { get; set; }

    public string? DeviceUrl { get; set; }

    public IList<string> Scopes { get; } = [];

    public IList<string> MatchKeys { get; } = [];

    public DeclaredTokenFile? TokenFile { get; set; }
}

/// <summary>A declared account's token file.</summary>
internal sealed class DeclaredTokenFile
{
    public string? Path { get; set; }

    public string? Owner { get; set; }

    public string? Group { get; set; }

    public string? Mode { get; set; }
}

/// <summary>
/// Puts the accounts declared in the configuration into the store at start: a new one is added, an
/// existing one gets the declared settings and keeps its grant. An account dropped from the
/// configuration stays until <c>tokenbroker account remove</c>. A declaration that cannot work stops
/// the daemon with a line naming its key.
/// </summary>
internal static class DeclaredAccounts
{
    public const string Section = "TokenBroker:Accounts";

    /// <summary>The CLI's option names in <see cref="AccountSpecs"/>' messages, as configuration keys (longest first).</summary>
    private static readonly (string Option, string Key)[] Keys =
    [
        ("--client-secret-file", "ClientSecretFile"), ("--token-file-owner", "TokenFile:Owner"), ("--token-file-group", "TokenFile:Group"),
        ("--token-file-mode", "TokenFile:Mode"), ("--authorize-url", "AuthorizeUrl"), ("--device-url", "DeviceUrl"), ("--token-file", "TokenFile:Path"),
        ("--token-url", "TokenUrl"), ("--client-id", "ClientId"), ("--username", "Username"), ("--provider", "Provider"), ("--issuer", "Issuer"),
        ("--tenant", "Tenant"), ("--scope", "Scopes"), ("--match", "MatchKeys"),
    ];

    /// <summary>The accounts <paramref name="configuration"/> declares, each checked.</summary>
    /// <exception cref="SetupException">A declaration is invalid, its secret file unreadable or open to others, or its token file not allowed.</exception>
    public static IReadOnlyList<Account> Read(IConfiguration configuration, TokenFileWriter tokenFiles)
    {
        var accounts = new List<Account>();
        foreach (var section in configuration.GetSection(Section).GetChildren())
        {
            if (!AccountName.TryParse(section.Key, out var name))
            {
                throw new SetupException($"{section.Path}: '{section.Key}' is not a valid account name (letters, digits, . _ -)");
            }

            var account = ToAccount(name, section.Get<DeclaredAccount>() ?? new DeclaredAccount(), section.Path);
            if (account.TokenFile is { } file && tokenFiles.CheckPlace(file.Path) is { } refused)
            {
                throw new SetupException($"{section.Path}:TokenFile:Path: {refused}");
            }

            accounts.Add(account);
        }

        return accounts;
    }

    /// <summary>Puts <paramref name="accounts"/> into the store: new ones added, existing ones given these settings with their grant kept.</summary>
    public static async Task ApplyAsync(IReadOnlyList<Account> accounts, IGrantStore store, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var account in accounts)
        {
            bool existed;
            try
            {
                existed = await store.FindAsync(account.Name, cancellationToken).ConfigureAwait(false) is not null;
            }
            catch (AccountUnreadableException)
            {
                // Writing over it would lose what is left of it; it stays as it is for a restore.
                DaemonLog.DeclaredAccount(logger, account.Name.Value, "not applied: the stored account cannot be read; restore it from a backup, or remove it (tokenbroker account remove) to start afresh");
                continue;
            }

            await store.SaveAccountAsync(account, cancellationToken).ConfigureAwait(false);
            DaemonLog.DeclaredAccount(logger, account.Name.Value, existed ? "settings applied, grant kept" : "added; it needs consent");
        }
    }

    private static Account ToAccount(AccountName name, DeclaredAccount declared, string path)
    {
        var file = declared.TokenFile;
        try
        {
            return AccountSpecs.ToAccount(name, new AccountSpec(
                declared.Provider ?? string.Empty,
                declared.Username ?? string.Empty,
                declared.ClientId,
                declared.ClientSecretFile is null ? null : ReadSecret(declared.ClientSecretFile, $"{path}:ClientSecretFile"),
                declared.Tenant,
                Url(declared.Issuer, $"{path}:Issuer"),
                Url(declared.AuthorizeUrl, $"{path}:AuthorizeUrl"),
                Url(declared.TokenUrl, $"{path}:TokenUrl"),
                Url(declared.DeviceUrl, $"{path}:DeviceUrl"),
                [.. declared.Scopes],
                [.. declared.MatchKeys],
                file is null ? null : new TokenFileSpec(file.Path ?? string.Empty, file.Owner, file.Group, file.Mode)));
        }
        catch (InvalidAccountException ex)
        {
            var message = Keys.Aggregate(ex.Message, (text, k) => text.Replace(k.Option, k.Key, StringComparison.Ordinal));
            throw new SetupException($"{path}: {message}", ex);
        }
    }

    private static string ReadSecret(string file, string key)
    {
        try
        {
            if ((File.GetUnixFileMode(file) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                throw new SetupException($"{key}: {file} is open to other users; chmod o-rw {file}");
            }

            return File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SetupException($"{key}: cannot read {file}: {ex.Message}", ex);
        }
    }

    private static Uri? Url(string? text, string key) =>
        text is null ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) ? url
        : throw new SetupException($"{key}: '{text}' is not an absolute URL");
}
