using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Answers "what is this account's token now". A token with more than a minute left is served at
/// once, without touching the network. A token in its final minute (or missing) on an active
/// account joins the refresh in flight — starting one if needed — for at most the configured wait;
/// a still-valid token is served when the wait runs out.
/// </summary>
internal sealed class TokenLookup(IGrantStore store, RefreshCoordinator coordinator, IOptions<RefreshOptions> options, TimeProvider time)
{
    /// <summary>How long before expiry a token stops being served without first trying to refresh it.</summary>
    private static readonly TimeSpan FinalWindow = TimeSpan.FromMinutes(1);

    /// <summary>The current token of <paramref name="name"/>.</summary>
    /// <exception cref="AccountUnreadableException">The account's secrets fail authentication.</exception>
    public async Task<TokenAnswer> GetAsync(AccountName name, CancellationToken cancellationToken)
    {
        var entry = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return Unknown(name);
        }

        if (Remaining(entry.Grant) > FinalWindow || entry.Grant.State != GrantState.Active)
        {
            return Answer(entry);
        }

        var refresh = coordinator.RefreshAsync(name, unlessRefreshedAfter: entry.Grant.LastRefresh);
        try
        {
            var outcome = await refresh.WaitAsync(options.Value.LookupWait, time, cancellationToken).ConfigureAwait(false);
            var current = outcome?.Entry ?? await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
            return current is null ? Unknown(name) : Answer(current);
        }
        catch (TimeoutException)
        {
            return Answer(entry, "a refresh is in progress");
        }
    }

    private static TokenAnswer Unknown(AccountName name) => new(TokenAnswerKind.Unknown, null, null, null, $"no account is named {name}");

    private TimeSpan Remaining(Grant grant) =>
        grant.AccessToken is not null && grant.ExpiresAt is { } expiresAt ? expiresAt - time.GetUtcNow() : TimeSpan.Zero;

    private TokenAnswer Answer(AccountEntry entry, string? pending = null)
    {
        var grant = entry.Grant;
        var username = entry.Account.Username;
        if (Remaining(grant) > TimeSpan.Zero)
        {
            return new TokenAnswer(TokenAnswerKind.Token, username, grant.AccessToken, grant.ExpiresAt, null);
        }

        return grant.State == GrantState.NeedsConsent
            ? new TokenAnswer(TokenAnswerKind.NeedsConsent, username, null, null, $"account {entry.Account.Name} needs consent: run tokenbroker consent {entry.Account.Name}")
            : new TokenAnswer(TokenAnswerKind.Unavailable, username, null, null, pending ?? $"no valid token for account {entry.Account.Name} yet ({grant.LastError ?? "refresh pending"})");
    }
}
