using System.Collections.Concurrent;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon;

/// <summary>
/// The daemon's store: every call goes to the real store; every write moves the version of the
/// accounts it may have touched on (<see cref="VersionOf"/>), and a change to the account list is
/// announced. A change another daemon made to a shared store counts as a write here, and its grant
/// is announced as if committed here.
/// </summary>
internal sealed class WatchedGrantStore : IGrantStore
{
    private readonly IGrantStore _inner;
    private readonly ConcurrentDictionary<AccountName, long> _changed = new();

    /// <summary>Numbers the writes: each takes the next one.</summary>
    private long _writes;

    /// <summary>The number of the last write that may have touched any account (the account list, or a change elsewhere not said).</summary>
    private long _changedAll;

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
    /// Moves on after every write that may have touched <paramref name="name"/> has finished (or failed).
    /// Something read of the account while its version stayed the same is still what the store holds;
    /// a write to another account leaves it alone.
    /// </summary>
    public long VersionOf(AccountName name) =>
        Math.Max(Interlocked.Read(ref _changedAll), _changed.TryGetValue(name, out var changed) ? changed : 0);

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
            Committed(name, updated);
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
            ChangedAll();
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
            ChangedAll();
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
            ChangedAll();
            AccountsChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    private async Task ChangedElsewhereAsync(StoreChange change)
    {
        if (change.Account is { } changed && !change.AccountsChanged)
        {
            Changed(changed);
        }
        else
        {
            ChangedAll();
        }

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

    private void Committed(AccountName name, AccountEntry? updated)
    {
        Changed(name);
        if (updated is not null)
        {
            GrantCommitted?.Invoke(this, updated);
        }
    }

    private void Changed(AccountName name)
    {
        var write = Interlocked.Increment(ref _writes);
        _changed.AddOrUpdate(name, write, (_, earlier) => Math.Max(earlier, write));
    }

    private void ChangedAll()
    {
        var write = Interlocked.Increment(ref _writes);
        for (var earlier = Interlocked.Read(ref _changedAll); earlier < write; earlier = Interlocked.Read(ref _changedAll))
        {
            Interlocked.CompareExchange(ref _changedAll, write, earlier);
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
                store.Committed(hold.Entry.Account.Name, updated);
            }
        }

        public ValueTask DisposeAsync() => hold.DisposeAsync();
    }
}
