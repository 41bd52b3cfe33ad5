using TokenBroker.Core.Admin;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.Accounts;

/// <summary>Turns what an operator gave (<c>account add</c>) into an account, refusing settings that cannot work.</summary>
public static class AccountSpecs
{
    private const UnixFileMode Permissions = (UnixFileMode)0b111_111_111;

    /// <summary>The account <paramref name="spec"/> describes.</summary>
    /// <exception cref="InvalidAccountException">A setting is missing, malformed or does not fit the provider.</exception>
    public static Account ToAccount(AccountName name, AccountSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var kind = spec.Provider switch
        {
            "google" => ProviderKind.Google,
            "microsoft" => ProviderKind.Microsoft,
            "generic" => ProviderKind.Generic,
            _ => throw new InvalidAccountException($"--provider '{spec.Provider}' is not one of google, microsoft, generic"),
        };
        var username = Word("--username", spec.Username) ?? throw new InvalidAccountException("--username is required: the mailbox address the server logs in");
        if (username.Contains(':', StringComparison.Ordinal))
        {
            throw new InvalidAccountException($"--username '{username}' contains ':', which Postfix's user:token answer cannot carry");
        }

        var clientId = Word("--client-id", spec.ClientId)
            ?? throw new InvalidAccountException("--client-id is required: the client id of the OAuth2 app registered at the provider");
        return new Account
        {
            Name = name,
            Provider = Profile(kind, spec),
            Username = username,
            ClientId = clientId,
            ClientSecret = ClientSecret(kind, spec.ClientSecret),
            Scopes = [.. spec.Scopes.Select(s => Word("--scope", s) ?? throw new InvalidAccountException("--scope must not be empty"))],
            MatchKeys = [.. spec.MatchKeys.Select(k => Word("--match", k) ?? throw new InvalidAccountException("--match must not be empty"))],
            TokenFile = spec.TokenFile is null ? null : TokenFile(spec.TokenFile),
        };
    }

    /// <summary>An account's settings the way <c>account add</c> takes them, without the client secret.</summary>
    public static AccountSpec ToSpec(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var file = account.TokenFile;
        return new AccountSpec(
            Provider(account.Provider.Kind),
            account.Username,
            account.ClientId,
            null,
            account.Provider.Tenant,
            account.Provider.Issuer,
            account.Provider.AuthorizationEndpoint,
            account.Provider.TokenEndpoint,
            account.Provider.DeviceAuthorizationEndpoint,
            ProviderPresets.ScopesFor(account),
            account.MatchKeys,
            file is null ? null : new TokenFileSpec(file.Path, file.Owner, file.Group, "0" + Convert.ToString((int)file.Mode, 8)));
    }

    /// <summary>The name <c>account add --provider</c> takes for <paramref name="kind"/>.</summary>
    public static string Provider(ProviderKind kind) => kind.ToString().ToLowerInvariant();

    private static ProviderProfile Profile(ProviderKind kind, AccountSpec spec)
    {
        var endpoints = spec.AuthorizeUrl ?? spec.TokenUrl ?? spec.DeviceUrl;
        if (spec.Tenant is not null && kind != ProviderKind.Microsoft)
        {
            throw new InvalidAccountException("--tenant is for microsoft accounts");
        }

        switch (kind)
        {
            case ProviderKind.Google when spec.Issuer is not null || endpoints is not null:
                throw new InvalidAccountException("google has fixed endpoints; --issuer and the endpoint URLs are for generic providers");
            case ProviderKind.Microsoft when endpoints is not null:
                throw new InvalidAccountException("microsoft takes --tenant (or --issuer for another cloud's authority), not endpoint URLs");
            case ProviderKind.Generic when spec.Issuer is not null && endpoints is not null:
                throw new InvalidAccountException("give --issuer (discovery) or the endpoint URLs, not both");
            case ProviderKind.Generic when spec.Issuer is null && (spec.AuthorizeUrl is null || spec.TokenUrl is null):
                throw new InvalidAccountException("a generic provider needs --issuer URL, or --authorize-url URL and --token-url URL");
        }

        return new ProviderProfile
        {
            Kind = kind,
            Tenant = Word("--tenant", spec.Tenant),
            Issuer = Url("--issuer", spec.Issuer),
            AuthorizationEndpoint = Url("--authorize-url", spec.AuthorizeUrl),
            TokenEndpoint = Url("--token-url", spec.TokenUrl),
            DeviceAuthorizationEndpoint = Url("--device-url", spec.DeviceUrl),
        };
    }

    private static Secret? ClientSecret(ProviderKind kind, string? clientSecret)
    {
        if (clientSecret is null)
        {
            return null;
        }

        if (kind == ProviderKind.Microsoft)
        {
            throw new InvalidAccountException("the microsoft profile uses a public client: register the app as a public client (mobile and desktop) and drop --client-secret-file");
        }

        var trimmed = clientSecret.Trim();
        return trimmed.Length == 0 || trimmed.Any(char.IsControl)
            ? throw new InvalidAccountException("the client secret file is empty or holds more than one line")
            : Secret.FromText(trimmed);
    }

    private static TokenFileSettings TokenFile(TokenFileSpec file)
    {
        if (!Path.IsPathFullyQualified(file.Path) || Path.GetFullPath(file.Path) != file.Path || file.Path.EndsWith('/'))
        {
            throw new InvalidAccountException($"--token-file {file.Path} must be an absolute path to a file, without . or .. parts");
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (file.Mode is not null)
        {
            if (file.Mode.Length is < 3 or > 4 || file.Mode.Any(c => c is < '0' or > '7'))
            {
                throw new InvalidAccountException($"--token-file-mode '{file.Mode}' is not an octal mode such as 0640");
            }

            mode = (UnixFileMode)Convert.ToInt32(file.Mode, 8);
            if ((mode & ~Permissions) != 0 || (mode & UnixFileMode.OtherWrite) != 0 || (mode & UnixFileMode.UserRead) == 0)
            {
                throw new InvalidAccountException($"--token-file-mode {file.Mode}: the owner must read it, others must not write it, and no special bits");
            }
        }

        return new TokenFileSettings { Path = file.Path, Owner = Word("--token-file-owner", file.Owner), Group = Word("--token-file-group", file.Group), Mode = mode };
    }

    /// <summary>Null for null; otherwise the text, which must be non-empty and free of spaces and control characters.</summary>
    private static string? Word(string option, string? text) => text switch
    {
        null => null,
        _ when text.Length == 0 || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) =>
            throw new InvalidAccountException($"{option} '{text}' must be one word without spaces or control characters"),
        _ => text,
    };

    private static Uri? Url(string option, Uri? url) => url switch
    {
        null => null,
        { IsAbsoluteUri: true, Scheme: "https" } => url,
        { IsAbsoluteUri: true, Scheme: "http", IsLoopback: true } => url,
        _ => throw new InvalidAccountException($"{option} {url} must be an https URL (http only on 127.0.0.1 or localhost)"),
    };
}
