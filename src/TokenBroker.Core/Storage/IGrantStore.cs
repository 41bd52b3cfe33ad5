using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;

namespace TokenBroker.Core.Storage;

/// <summary>
/// Accounts and their grants. Every implementation seals secret fields with the master key and
/// passes the same contract test suite. Only the daemon opens a store.
/// </summary>
public interface IGrantStore
{
    /// <summary>
    /// Every account with its grant's state and times but without any secret field (each is
    /// authenticated, none returned: a listing of thousands of accounts must not hold their tokens);
    /// an account whose secrets fail authentication is listed as unreadable.
    /// </summary>
    Task<StoreListing> ListAsync(CancellationToken cancellationToken);

    /// <summary>One account, or null when no account has that name.</summary>
    /// <exception cref="AccountUnreadableException">The account's secrets fail authentication.</exception>
    Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken);

    /// <summary>
    /// Adds an account with <see cref="Grant.None"/>, or replaces an existing account's settings and
    /// keeps its grant.
    /// </summary>
    Task<AccountEntry> SaveAccountAsync(Account account, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces an account's grant with <paramref name="change"/> applied to the stored grant, as one
    /// atomic step: concurrent updates of one account are applied one after the other, none lost.
    /// </summary>
    /// <returns>The updated entry, or null when no account has that name.</returns>
    /// <exception cref="AccountUnreadableException">The account's secrets fail authentication.</exception>
    Task<AccountEntry?> UpdateGrantAsync(AccountName name, Func<Grant, Grant> change, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the account's <see cref="IGrantHold"/>, waiting while another holder (in any daemon that
    /// shares the store) has it, and reads the account under it.
    /// </summary>
    /// <returns>The hold, or null when no account has that name.</returns>
    /// <exception cref="AccountUnreadableException">The account's secrets fail authentication.</exception>
    Task<IGrantHold?> HoldAsync(AccountName name, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces every account and grant with <paramref name="entries"/> as one atomic step (a restore):
    /// afterwards the store holds exactly these, or, if the step fails, exactly what it held before.
    /// </summary>
    Task ReplaceAllAsync(IReadOnlyList<(Account Account, Grant Grant)> entries, CancellationToken cancellationToken);

    /// <summary>Removes an account and its grant.</summary>
    /// <returns>False when no account has that name.</returns>
    Task<bool> RemoveAsync(AccountName name, CancellationToken cancellationToken);
}
