namespace TokenBroker.Core.Accounts;

/// <summary>
/// The Postfix lookup keys an account answers, and the relay host it sends through. Keys are
/// compared case-folded (Postfix does not fold them). An account claims its user name and its
/// <see cref="Account.MatchKeys"/> explicitly; a Google or Microsoft account also claims its
/// provider's SMTP server implicitly, which an explicit claim of another account overrides.
/// </summary>
public static class AccountClaims
{
    /// <summary>The SMTP submission port of the providers with a preset.</summary>
    public const int SubmissionPort = 587;

    /// <summary>The key as it is compared.</summary>
    public static string Fold(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ToLowerInvariant();
    }

    /// <summary>The provider's SMTP server, for the kinds that have a preset.</summary>
    public static string? SmtpHost(ProviderKind kind) => kind switch
    {
        ProviderKind.Google => "smtp.gmail.com",
        ProviderKind.Microsoft => "smtp.office365.com",
        _ => null,
    };

    /// <summary>The user name and the match keys, folded.</summary>
    public static IEnumerable<string> Explicit(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.MatchKeys.Prepend(account.Username).Select(Fold).Distinct(StringComparer.Ordinal);
    }

    /// <summary>
    /// The provider's SMTP server as Postfix looks it up: the host name, and the next-hop written
    /// <c>[host]</c>, <c>[host]:587</c> or <c>[host]:465</c>.
    /// </summary>
    public static IEnumerable<string> Implicit(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return SmtpHost(account.Provider.Kind) is { } host
            ? [host, $"[{host}]", $"[{host}]:{SubmissionPort}", $"[{host}]:465"]
            : [];
    }

    /// <summary>
    /// The next-hop for <c>sender_dependent_relayhost_maps</c>: the first match key written as a
    /// next-hop (<c>[host]:port</c> or <c>host:port</c>), else the provider's SMTP server on port 587,
    /// else none.
    /// </summary>
    public static string? RelayHost(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.MatchKeys.FirstOrDefault(IsNextHop)
            ?? (SmtpHost(account.Provider.Kind) is { } host ? $"[{host}]:{SubmissionPort}" : null);
    }

    private static bool IsNextHop(string key) =>
        !key.Contains('@', StringComparison.Ordinal) && (key.StartsWith('[') || key.Contains(':', StringComparison.Ordinal));
}
