using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.Storage;

/// <summary>A stored account whose secrets fail authentication; its data is kept untouched.</summary>
/// <param name="Name">The account's name.</param>
/// <param name="Reason">Which field failed and why; never a secret.</param>
public sealed record UnreadableAccount(AccountName Name, string Reason);
