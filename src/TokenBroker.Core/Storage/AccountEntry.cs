using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;

namespace TokenBroker.Core.Storage;

/// <summary>An account as stored, with its grant.</summary>
/// <param name="Account">The account's settings.</param>
/// <param name="Grant">The account's grant.</param>
/// <param name="Revision">Grows by one with every write of the account or its grant.</param>
public sealed record AccountEntry(Account Account, Grant Grant, long Revision);
