using System.Collections.Concurrent;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Answers "what is this account's token now". A token with more than a minute left is served at
/// once, without touching the network. A token in its final minute (or missing) on an active
/// account joins the refresh in flight — starting one if needed — for at most the configured wait;
/// a still-valid token is served when the wait runs out. A token served is kept in memory until
/// its account changes in the store, so Postfix's lookups of it cost neither a store read nor a decryption.
/// </summary>
internal sealed class TokenLookup
{
    /// <summary>How long before expiry a token stops being served without first trying to refresh it.</summary>
    private static readonly TimeSpan FinalWindow = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<AccountName, (TokenAnswer Answer, long Version)> _served = new();
    private readonly WatchedGrantStore _store;
    private readonly RefreshCoordinator _coordinator;
    private readonly IOptionsMonitor<RefreshOptions> _options;
    private readonly TimeProvider _time;

    public TokenLookup(WatchedGrantStore store, RefreshCoordinator coordinator, IOptionsMonitor<RefreshOptions> options, TimeProvider time)
    {
        _store = store;
        _coordinator = coordinator;
        _options = options;
        _time = time;
        store.AccountsChanged += (_, _) => _served.Clear();
    }

    /// <summary>The current token of <paramref name="name"/>.</summary>
    /// <exception cref="AccountUnreadableException">The account's secrets fail authentication.</exception>
    public async Task<TokenAnswer> GetAsync(AccountName name, CancellationToken cancellationToken)
    {
        var version = _store.VersionOf(name);
        if (_served.TryGetValue(name, out var served) && served.Version == version && Remaining(served.Answer.ExpiresAt) > FinalWindow)
        {
            return served.Answer;
        }

        AccountEntry? entry;
        try
        {
            entry = await _store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (served.Answer is { Kind: TokenAnswerKind.Token } cached && Remaining(cached.ExpiresAt) > TimeSpan.Zero)
        {
            // The store cannot be read (a full disk broke a write, which was rolled back): the token served
            // before is still the stored one and still valid, and mail keeps going with it.
            return cached;
        }

        if (entry is null)
        {
            return Unknown(name);
        }

        if (Remaining(entry.Grant) > FinalWindow)
        {
            var answer = Answer(entry);
            _served[name] = (answer, version);
            return answer;
        }

        if (entry.Grant.State != GrantState.Active)
        {
            return Answer(entry);
        }

        var refresh = _coordinator.RefreshAsync(name, unlessRefreshedAfter: entry.Grant.LastRefresh);
        try
        {
            var outcome = await refresh.WaitAsync(_options.CurrentValue.LookupWait, _time, cancellationToken).ConfigureAwait(false);
            var current = outcome?.Entry ?? await _store.FindAsync(name, cancellationToken).ConfigureAwait(false);
            return current is null ? Unknown(name) : Answer(current);
        }
        catch (TimeoutException)
        {
            return Answer(entry, "a refresh is in progress");
        }
        catch (IOException)
        {
            // The store went away during the refresh: the token read before is served while it is valid.
            return Answer(entry, "the store cannot be read");
        }
    }

    private static TokenAnswer Unknown(AccountName name) => new(TokenAnswerKind.Unknown, null, null, null, $"no account is named {name}");

    private TimeSpan Remaining(Grant grant) => grant.AccessToken is null ? TimeSpan.Zero : Remaining(grant.ExpiresAt);

    private TimeSpan Remaining(DateTimeOffset? expiresAt) => expiresAt is { } at ? at - _time.GetUtcNow() : TimeSpan.Zero;

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
