namespace TokenBroker.Core.Admin;

/// <summary>
/// An account's settings as <c>tokenbroker account add</c> sends them. The client secret travels over
/// the admin socket only, and the daemon seals it before storing it.
/// </summary>
/// <param name="Provider"><c>google</c>, <c>microsoft</c> or <c>generic</c>.</param>
/// <param name="Username">The mailbox user name sent in SASL.</param>
/// <param name="ClientId">The OAuth2 client id.</param>
/// <param name="ClientSecret">The client secret of a confidential client, read from a file by the CLI.</param>
/// <param name="Tenant">Microsoft tenant.</param>
/// <param name="Issuer">Issuer for discovery (generic), or the authority (microsoft).</param>
/// <param name="AuthorizeUrl">Authorization endpoint (generic, without discovery).</param>
/// <param name="TokenUrl">Token endpoint (generic, without discovery).</param>
/// <param name="DeviceUrl">Device authorization endpoint (generic, without discovery).</param>
/// <param name="Scopes">Scopes; empty for the provider's defaults.</param>
/// <param name="MatchKeys">Postfix lookup keys the account answers besides its user name.</param>
/// <param name="TokenFile">The token file to keep current.</param>
public sealed record AccountSpec(
    string Provider,
    string Username,
    string? ClientId,
    string? ClientSecret,
    string? Tenant,
    Uri? Issuer,
    Uri? AuthorizeUrl,
    Uri? TokenUrl,
    Uri? DeviceUrl,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> MatchKeys,
    TokenFileSpec? TokenFile)
{
    /// <summary>Everything but the client secret, which shows only whether there is one.</summary>
    public override string ToString() =>
        $"AccountSpec {{ Provider = {Provider}, Username = {Username}, ClientId = {ClientId}, ClientSecret = {(ClientSecret is null ? "none" : "[secret]")} }}";
}

/// <summary>A token file as the CLI names it.</summary>
/// <param name="Path">Absolute path.</param>
/// <param name="Owner">Owner user, or null for the daemon's.</param>
/// <param name="Group">Group, or null for the daemon's.</param>
/// <param name="Mode">Octal mode such as <c>0640</c>, or null for 0600.</param>
public sealed record TokenFileSpec(string Path, string? Owner, string? Group, string? Mode);

/// <summary>Where an account stands, for <c>status</c> and <c>account list</c>.</summary>
/// <param name="Name">The account.</param>
/// <param name="Provider"><c>google</c>, <c>microsoft</c> or <c>generic</c>.</param>
/// <param name="Username">The mailbox user name.</param>
/// <param name="State"><c>active</c>, <c>failing</c>, <c>needs_consent</c> or <c>unreadable</c>.</param>
/// <param name="ExpiresAt">When the current access token expires.</param>
/// <param name="NextRefresh">When the next refresh is planned.</param>
/// <param name="LastRefresh">When the last refresh (or consent) succeeded.</param>
/// <param name="LastError">The last refresh error, or why the account is unreadable.</param>
/// <param name="RefreshedBy">The node that made the last refresh (or took the consent).</param>
public sealed record AccountStatus(
    string Name,
    string? Provider,
    string? Username,
    string State,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? NextRefresh,
    DateTimeOffset? LastRefresh,
    string? LastError,
    string? RefreshedBy = null);

/// <summary>Every account's status, with the daemon's clock so relative times agree with it.</summary>
/// <param name="Now">The daemon's current time.</param>
/// <param name="Accounts">Every account, ordered by name.</param>
public sealed record StatusReport(DateTimeOffset Now, IReadOnlyList<AccountStatus> Accounts);

/// <summary>One account in full, for <c>account show</c>; never a secret.</summary>
/// <param name="Now">The daemon's current time.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Settings">Its settings as <c>account add</c> takes them (scopes filled with the provider's defaults), without the client secret.</param>
/// <param name="HasClientSecret">Whether a client secret is stored.</param>
/// <param name="PostfixKeys">The Postfix lookup keys it answers, its user name first.</param>
public sealed record AccountDetails(DateTimeOffset Now, AccountStatus Status, AccountSpec Settings, bool HasClientSecret, IReadOnlyList<string> PostfixKeys);

/// <summary>What <c>account remove</c> did.</summary>
/// <param name="Name">The account.</param>
/// <param name="Revoked">True when the provider revoked the grant.</param>
/// <param name="Message">One line for a person: what happened at the provider.</param>
public sealed record AccountRemoved(string Name, bool Revoked, string Message);
