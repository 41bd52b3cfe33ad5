using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.Storage;

/// <summary>A store that other daemons write to as well, and that says when they did.</summary>
public interface ISharedStore
{
    /// <summary>
    /// Raised after another daemon committed a change. <see cref="StoreChange.Account"/> is null when
    /// any account may have changed (the feed was interrupted and changes may have been missed).
    /// </summary>
    event EventHandler<StoreChange>? ChangedElsewhere;
}

/// <summary>A change another daemon made to a shared store.</summary>
/// <param name="Account">The account whose grant or settings changed, or null for any.</param>
/// <param name="AccountsChanged">True when accounts were added, removed or their settings changed (not only a grant).</param>
public sealed record StoreChange(AccountName? Account, bool AccountsChanged);
