namespace TokenBroker.Core.Storage;

/// <summary>
/// An exclusive hold on one account's grant, from <see cref="IGrantStore.HoldAsync"/>: while it is
/// held, no other hold of the account — in this daemon or any other sharing the store — is given,
/// so a refresh token is presented to the provider by one holder at a time. Ending the hold without
/// <see cref="CommitAsync"/> leaves the grant as it was.
/// </summary>
public interface IGrantHold : IAsyncDisposable
{
    /// <summary>The account as stored when the hold was taken.</summary>
    AccountEntry Entry { get; }

    /// <summary>
    /// Replaces the grant with <paramref name="change"/> applied to the stored grant and ends the hold.
    /// </summary>
    /// <returns>The updated entry, or null when the account was removed meanwhile.</returns>
    Task<AccountEntry?> CommitAsync(Func<Grants.Grant, Grants.Grant> change, CancellationToken cancellationToken);
}
