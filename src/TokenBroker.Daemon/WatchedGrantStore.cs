using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon;

/// <summary>
/// The daemon's store: every call goes to the real store; every write moves <see cref="Version"/> on,
/// and a change to the account list is announced. A change another daemon made to a shared store
/// counts as a write here, and its grant is announced as if committed here.
/// </summary>
internal sealed class WatchedGrantStore : IGrantStore
{
    private readonly IGrantStore _inner;
    private long _version;

    public WatchedGrantStore(IGrantStore inner)
    {
        _inner = inner;
        if (inner is ISharedStore shared)
        {
            shared.ChangedElsewhere += (_, change) => _ = ChangedElsewhereAsync(change);
        }
    }

    /// <summary>Raised after an account was added, changed or removed (grants changing do not count).</summary>
    public event EventHandler? AccountsChanged;

    /// <summary>Raised after an account's grant was committed, with the entry as stored.</summary>
    public event EventHandler<AccountEntry>? GrantCommitted;

    /// <summary>
    /// Moves on after every write has finished (or failed). Something read from the store while the
    /// version stayed the same is still what the store holds.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    public Task<StoreListing> ListAsync(CancellationToken cancellationToken) => _inner.ListAsync(cancellationToken);

    public Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken) => _inner.FindAsync(name, cancellationToken);

    public async Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken) =>
        await _inner.HoldAsync(name, cancellationToken).ConfigureAwait(false) is { } hold ? new WatchedHold(this, hold) : null;

    public async Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken)
    {
        AccountEntry? updated = null;
        try
        {
            updated = await _inner.UpdateGrantAsync(name, change, cancellationToken).ConfigureAwait(false);
            return updated;
        }
        finally
        {
            Committed(updated);
        }
    }

    public async Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken)
    {
        try
        {
            return await _inner.SaveAccountAsync(account, cancellationToken).ConfigureAwait(false);
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
            await _inner.ReplaceAllAsync(entries, cancellationToken).ConfigureAwait(false);
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
            return await _inner.RemoveAsync(name, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _version);
            AccountsChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    private async Task ChangedElsewhereAsync(StoreChange change)
    {
        Interlocked.Increment(ref _version);
        if (change.AccountsChanged)
        {
            AccountsChanged?.Invoke(this, EventArgs.Empty);
        }

        if (change.Account is not { } name)
        {
            return;
        }

        try
        {
            if (await _inner.FindAsync(name, CancellationToken.None).ConfigureAwait(false) is { } entry)
            {
                GrantCommitted?.Invoke(this, entry);
            }
        }
        catch (Exception ex) when (ex is IOException or AccountUnreadableException)
        {
            // Nothing to announce: the next lookup reads the store itself (the version moved on).
        }
    }

    private void Committed(AccountEntry? updated)
    {
        Interlocked.Increment(ref _version);
        if (updated is not null)
        {
            GrantCommitted?.Invoke(this, updated);
        }
    }

    private sealed class WatchedHold(WatchedGrantStore store, IGrantHold hold) : IGrantHold
    {
        public AccountEntry Entry => hold.Entry;

        public async Task<AccountEntry?> CommitAsync(Func<Grant, Grant> change, CancellationToken cancellationToken)
        {
            AccountEntry? updated = null;
            try
            {
                updated = await hold.CommitAsync(change, cancellationToken).ConfigureAwait(false);
                return updated;
            }
            finally
            {
                store.Committed(updated);
            }
        }

        public ValueTask DisposeAsync() => hold.DisposeAsync();
    }
}
