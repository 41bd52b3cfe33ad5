using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.OAuth;

/// <summary>What the <c>google</c> and <c>microsoft</c> profiles fill in when an account does not say otherwise.</summary>
public static class ProviderPresets
{
    /// <summary>Google's authorization endpoint.</summary>
    public static readonly Uri GoogleAuthorization = new("https://accounts.google.com/o/oauth2/v2/auth");

    /// <summary>Google's token endpoint.</summary>
    public static readonly Uri GoogleToken = new("https://oauth2.googleapis.com/token");

    /// <summary>Google's revocation endpoint.</summary>
    public static readonly Uri GoogleRevocation = new("https://oauth2.googleapis.com/revoke");

    /// <summary>The default Microsoft tenant.</summary>
    public const string MicrosoftDefaultTenant = "common";

    /// <summary>The scopes an account gets when it names none.</summary>
    public static IReadOnlyList<string> DefaultScopes(ProviderKind kind) => kind switch
    {
        ProviderKind.Google => ["https://mail.google.com/"],
        ProviderKind.Microsoft =>
        [
            "https://outlook.office.com/SMTP.Send",
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/POP.AccessAsUser.All",
            "offline_access",
        ],
        _ => [],
    };

    /// <summary>
    /// Extra authorization parameters: Google returns a refresh token only with
    /// <c>access_type=offline</c>, and again on a repeated consent only with <c>prompt=consent</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> AuthorizationParameters(ProviderKind kind) => kind == ProviderKind.Google
        ? new Dictionary<string, string>(StringComparer.Ordinal) { ["access_type"] = "offline", ["prompt"] = "consent" }
        : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The Microsoft identity platform authority for a tenant.</summary>
    public static Uri MicrosoftAuthority(string? tenant) =>
        new($"https://login.microsoftonline.com/{(string.IsNullOrWhiteSpace(tenant) ? MicrosoftDefaultTenant : tenant)}/");

    /// <summary>The account's scopes, or the profile's defaults when it names none.</summary>
    public static IReadOnlyList<string> ScopesFor(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.Scopes.Count > 0 ? account.Scopes : DefaultScopes(account.Provider.Kind);
    }
}
