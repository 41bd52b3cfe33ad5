using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;

namespace TokenBroker.Core.Storage;

/// <summary>
/// Holds for a store that only one daemon opens: one gate per account in this process, the entry
/// read after the gate is passed, the commit an ordinary <see cref="IGrantStore.UpdateGrantAsync"/>.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim without a wait handle holds nothing to dispose.")]
public sealed class LocalGrantHolds(IGrantStore store)
{
    private readonly ConcurrentDictionary<AccountName, SemaphoreSlim> _gates = new();

    /// <summary>Waits for the account's gate and reads the account; null (and no hold) when there is no such account.</summary>
    public async Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await store.FindAsync(name, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                return new Hold(store, gate, entry);
            }
        }
        catch
        {
            gate.Release();
            throw;
        }

        gate.Release();
        return null;
    }

    private sealed class Hold(IGrantStore store, SemaphoreSlim gate, AccountEntry entry) : IGrantHold
    {
        private int _ended;

        public AccountEntry Entry => entry;

        public async Task<AccountEntry?> CommitAsync(Func<Grant, Grant> change, CancellationToken cancellationToken)
        {
            try
            {
                return await store.UpdateGrantAsync(entry.Account.Name, change, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await DisposeAsync().ConfigureAwait(false);
            }
        }

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                gate.Release();
            }

            return ValueTask.CompletedTask;
        }
    }
}
