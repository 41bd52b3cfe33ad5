using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon;

/// <summary>The daemon's store: every call goes to the real store, and a change to the account list is announced.</summary>
internal sealed class WatchedGrantStore(IGrantStore inner) : IGrantStore
{
    /// <summary>Raised after an account was added, changed or removed (grants changing do not count).</summary>
    public event EventHandler? AccountsChanged;

    public Task<StoreListing> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) => inner.FindAsync(name, cancellationToken);

    public Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken) =>
        inner.UpdateGrantAsync(name, change, cancellationToken);

    public async Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken)
    {
        var saved = await inner.SaveAccountAsync(account, cancellationToken).ConfigureAwait(false);
        AccountsChanged?.Invoke(this, EventArgs.Empty);
        return saved;
    }

    public async Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken)
    {
        var removed = await inner.RemoveAsync(name, cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            AccountsChanged?.Invoke(this, EventArgs.Empty);
        }

        return removed;
    }
}
