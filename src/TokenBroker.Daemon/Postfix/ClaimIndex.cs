using System.Collections.Frozen;
using TokenBroker.Core.Accounts;

namespace TokenBroker.Daemon.Postfix;

/// <summary>
/// Which account answers a Postfix lookup key. Rebuilt from the store's account list whenever an
/// account is added, changed or removed; a lookup never sees a list older than the last change it
/// could know of. A key two accounts claim equally is ambiguous: answering it with either could send
/// mail as the wrong mailbox, so it is answered TEMP (the mail waits) and logged.
/// </summary>
internal sealed class ClaimIndex
{
    private readonly WatchedGrantStore _store;
    private readonly ILogger<ClaimIndex> _logger;
    private Task<FrozenDictionary<string, Claim>>? _current;

    public ClaimIndex(WatchedGrantStore store, ILogger<ClaimIndex> logger)
    {
        _store = store;
        _logger = logger;
        store.AccountsChanged += (_, _) => Rebuild();
    }

    /// <summary>The claim on a key, compared without regard to case; null when no account claims it.</summary>
    public async ValueTask<Claim?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is null || current.IsFaulted || current.IsCanceled)
        {
            current = Rebuild();
        }

        var claims = current.IsCompletedSuccessfully ? current.Result : await current.WaitAsync(cancellationToken).ConfigureAwait(false);
        return claims.GetValueOrDefault(key);
    }

    private Task<FrozenDictionary<string, Claim>> Rebuild()
    {
        var build = BuildAsync();
        Volatile.Write(ref _current, build);
        return build;
    }

    private async Task<FrozenDictionary<string, Claim>> BuildAsync()
    {
        var listing = await _store.ListAsync(CancellationToken.None).ConfigureAwait(false);
        var claims = new Dictionary<string, (Claim Claim, bool Explicit)>(StringComparer.Ordinal);
        foreach (var account in listing.Accounts.Select(e => e.Account))
        {
            var claim = new Claim(account.Name, AccountClaims.RelayHost(account), []);
            foreach (var key in AccountClaims.Explicit(account))
            {
                Add(claims, key, claim, isExplicit: true);
            }

            foreach (var key in AccountClaims.Implicit(account))
            {
                Add(claims, key, claim, isExplicit: false);
            }
        }

        foreach (var (key, (claim, _)) in claims.Where(c => c.Value.Claim.Account is null))
        {
            PostfixLog.Ambiguous(_logger, key, string.Join(", ", claim.Claimants));
        }

        // Keys were folded to lower case; ignoring case in the lookup folds the key asked without copying it.
        return claims.ToFrozenDictionary(c => c.Key, c => c.Value.Claim, StringComparer.OrdinalIgnoreCase);
    }

    private static void Add(Dictionary<string, (Claim Claim, bool Explicit)> claims, string key, Claim claim, bool isExplicit)
    {
        if (!claims.TryGetValue(key, out var existing) || (isExplicit && !existing.Explicit))
        {
            claims[key] = (claim, isExplicit);
        }
        else if (isExplicit == existing.Explicit)
        {
            var claimants = existing.Claim.Account is { } first ? [first] : existing.Claim.Claimants;
            claims[key] = (new Claim(null, null, [.. claimants, claim.Account!.Value]), isExplicit);
        }
    }
}

/// <summary>An account's claim on a key, or (with <see cref="Account"/> null) the accounts that claim it equally.</summary>
/// <param name="Account">The account that answers the key; null when the key is ambiguous.</param>
/// <param name="RelayHost">The account's next-hop for <c>sender_dependent_relayhost_maps</c>, if it has one.</param>
/// <param name="Claimants">The accounts that claim an ambiguous key.</param>
internal sealed record Claim(AccountName? Account, string? RelayHost, IReadOnlyList<AccountName> Claimants);
