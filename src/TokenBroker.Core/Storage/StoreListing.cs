namespace TokenBroker.Core.Storage;

/// <summary>Every stored account: those that can be read, and those whose secrets fail authentication.</summary>
/// <param name="Accounts">Readable accounts, ordered by name.</param>
/// <param name="Unreadable">Accounts that cannot be read, ordered by name.</param>
public sealed record StoreListing(IReadOnlyList<AccountEntry> Accounts, IReadOnlyList<UnreadableAccount> Unreadable);
