using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Core.OAuth;

/// <summary>
/// Refreshes one account and commits the outcome, under the account's hold in the store: daemons
/// sharing a store never present one refresh token twice, and one that waited for the hold while
/// another refreshed takes that result instead of asking again. The new grant — with a rotated refresh token or
/// MSAL cache — is written to the store before the new access token is handed to anyone: the token
/// returned is the one read back from the commit, so a failed write serves nothing new.
/// A failure is recorded only against the grant it happened to. The provider gets
/// <see cref="ProviderTimeout"/> on the daemon's clock to answer; after that the refresh is a
/// transient <c>timeout</c> failure.
/// </summary>
/// <param name="store">The store the grant is held, read and committed in.</param>
/// <param name="clients">The OAuth clients by provider kind.</param>
/// <param name="time">The daemon's clock.</param>
/// <param name="node">The name this daemon records as <see cref="Grant.RefreshedBy"/>.</param>
public sealed class GrantRefresher(IGrantStore store, OAuthClients clients, TimeProvider time, string? node = null)
{
    /// <summary>How long a provider may take to answer a refresh (60 s): a slow one is waited for, a hung one is not.</summary>
    public static readonly TimeSpan ProviderTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Refreshes <paramref name="name"/>; null when no such account exists. With
    /// <paramref name="unlessRefreshedAfter"/>, a grant refreshed after that time (by another daemon, or
    /// a consent) is taken as it is and the provider is not asked.
    /// </summary>
    /// <exception cref="AccountUnreadableException">The account's secrets fail authentication.</exception>
    public async Task<RefreshOutcome?> RefreshAsync(AccountName name, CancellationToken cancellationToken, DateTimeOffset? unlessRefreshedAfter = null)
    {
        var hold = await store.HoldAsync(name, cancellationToken).ConfigureAwait(false);
        if (hold is null)
        {
            return null;
        }

        await using (hold.ConfigureAwait(false))
        {
            var entry = hold.Entry;
            if (unlessRefreshedAfter is { } seen && entry.Grant.LastRefresh > seen)
            {
                return new RefreshOutcome(entry, null, entry.Grant.State, Joined: true);
            }

            var result = await AskProviderAsync(entry, cancellationToken).ConfigureAwait(false);

            // The provider has answered: a rotated refresh token exists only in this response now, so the
            // commit is not abandoned when the daemon starts to stop.
            Grant Apply(Grant grant) => result.Value is { } tokens ? GrantUpdates.Issued(grant, tokens, node)
                : SameCredentials(grant, entry.Grant) ? GrantUpdates.Failed(grant, result.Failure!)
                : grant;
            AccountEntry? committed;
            try
            {
                committed = await hold.CommitAsync(Apply, CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException) when (result.Value is not null)
            {
                // The hold was lost with its connection (a database failover) after the provider rotated the
                // refresh token: store the new one once more, unless someone else changed the grant meanwhile.
                committed = await store.UpdateGrantAsync(name, grant => SameCredentials(grant, entry.Grant) ? Apply(grant) : grant, CancellationToken.None).ConfigureAwait(false);
            }

            return committed is null ? null : new RefreshOutcome(committed, result.Failure, entry.Grant.State);
        }
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
