using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.Accounts;

/// <summary>A mailbox the broker keeps a token for, and how to get that token.</summary>
public sealed record Account
{
    /// <summary>The account's name, used by the CLI and in logs.</summary>
    public required AccountName Name { get; init; }

    /// <summary>The provider and its endpoints.</summary>
    public required ProviderProfile Provider { get; init; }

    /// <summary>The mailbox user name sent in SASL (the address or UPN).</summary>
    public required string Username { get; init; }

    /// <summary>
    /// Postfix lookup keys this account answers: sender addresses, server host names and next-hops
    /// such as <c>[smtp.gmail.com]:587</c>.
    /// </summary>
    public IReadOnlyList<string> MatchKeys { get; init; } = [];

    /// <summary>OAuth2 scopes to request.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>The OAuth2 client id.</summary>
    public string? ClientId { get; init; }

    /// <summary>The client secret of a confidential client; null for a public client.</summary>
    public Secret? ClientSecret { get; init; }

    /// <summary>The token file to keep current, if any.</summary>
    public TokenFileSettings? TokenFile { get; init; }
}
