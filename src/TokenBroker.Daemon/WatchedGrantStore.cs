using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon;

/// <summary>
/// The daemon's store: every call goes to the real store; every write moves <see cref="Version"/> on,
/// and a change to the account list is announced.
/// </summary>
internal sealed class WatchedGrantStore(IGrantStore inner) : IGrantStore
{
    private long _version;

    /// <summary>Raised after an account was added, changed or removed (grants changing do not count).</summary>
    public event EventHandler? AccountsChanged;

    /// <summary>Raised after an account's grant was committed, with the entry as stored.</summary>
    public event EventHandler<AccountEntry>? GrantCommitted;

    /// <summary>
    /// Moves on after every write has finished (or failed). Something read from the store while the
    /// version stayed the same is still what the store holds.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    public Task<StoreListing> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) => inner.FindAsync(name, cancellationToken);

    public async Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken)
    {
        AccountEntry? updated;
        try
        {
            updated = await inner.UpdateGrantAsync(name, change, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _version);
        }

        if (updated is not null)
        {
            GrantCommitted?.Invoke(this, updated);
        }

        return updated;
    }

    public async Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.SaveAccountAsync(account, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _version);
            AccountsChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    public async Task ReplaceAllAsync(IReadOnlyList<(Account Account, Grant Grant)> entries, CancellationToken cancellationToken)
    {
        try
        {
            await inner.ReplaceAllAsync(entries, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _version);
            AccountsChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    public async Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.RemoveAsync(name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _version);
            AccountsChanged?.Invoke(this, EventArgs.Empty);
        }
    }
}
