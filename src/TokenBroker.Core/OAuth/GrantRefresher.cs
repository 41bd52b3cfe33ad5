using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Core.OAuth;

/// <summary>
/// Refreshes one account and commits the outcome. The new grant — with a rotated refresh token or
/// MSAL cache — is written to the store before the new access token is handed to anyone: the token
/// returned is the one read back from the commit, so a failed write serves nothing new.
/// A failure is recorded only against the grant it happened to. The provider gets
/// <see cref="ProviderTimeout"/> on the daemon's clock to answer; after that the refresh is a
/// transient <c>timeout</c> failure.
/// </summary>
public sealed class GrantRefresher(IGrantStore store, OAuthClients clients, TimeProvider time)
{
    /// <summary>How long a provider may take to answer a refresh (60 s): a slow one is waited for, a hung one is not.</summary>
    public static readonly TimeSpan ProviderTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Refreshes <paramref name="name"/>; null when no such account exists.</summary>
    /// <exception cref="AccountUnreadableException">The account's secrets fail authentication.</exception>
    public async Task<RefreshOutcome?> RefreshAsync(AccountName name, CancellationToken cancellationToken)
    {
        var entry = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return null;
        }

        var result = await AskProviderAsync(entry, cancellationToken).ConfigureAwait(false);

        // The provider has answered: a rotated refresh token exists only in this response now, so the
        // commit is not abandoned when the daemon starts to stop.
        var committed = await store.UpdateGrantAsync(
            name,
            grant => result.Value is { } tokens ? GrantUpdates.Issued(grant, tokens)
                : SameCredentials(grant, entry.Grant) ? GrantUpdates.Failed(grant, result.Failure!)
                : grant,
            CancellationToken.None).ConfigureAwait(false);
        return committed is null ? null : new RefreshOutcome(committed, result.Failure, entry.Grant.State);
    }

    private async Task<OAuthResult<IssuedTokens>> AskProviderAsync(AccountEntry entry, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ProviderTimeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await clients.For(entry.Account).RefreshAsync(entry.Account, entry.Grant, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new OAuthResult<IssuedTokens>(null, new OAuthFailure(OAuthFailureKind.Transient, "timeout", $"no answer within {ProviderTimeout.TotalSeconds:0} s"));
        }
    }

    /// <summary>
    /// False when a consent replaced the refresh token (or MSAL cache) while this refresh was in
    /// flight: the failure was about the old grant and must not mark the new one.
    /// </summary>
    private static bool SameCredentials(Grant stored, Grant used) =>
        Equals(stored.RefreshToken, used.RefreshToken) && Equals(stored.MsalCache, used.MsalCache);
}
