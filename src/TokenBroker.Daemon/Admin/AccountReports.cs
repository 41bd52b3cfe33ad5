using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;

namespace TokenBroker.Daemon.Admin;

/// <summary>Where accounts stand, as <c>status</c>, <c>account list</c> and <c>account show</c> print it; never a secret.</summary>
internal sealed class AccountReports(IGrantStore store, RefreshTriggers triggers, TimeProvider time)
{
    /// <summary>Every account, readable or not, ordered by name.</summary>
    public async Task<StatusReport> AllAsync(CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var statuses = new List<AccountStatus>(listing.Accounts.Count + listing.Unreadable.Count);
        foreach (var entry in listing.Accounts)
        {
            statuses.Add(await StatusAsync(entry, cancellationToken).ConfigureAwait(false));
        }

        statuses.AddRange(listing.Unreadable.Select(u => Unreadable(u.Name, u.Reason)));
        return new StatusReport(time.GetUtcNow(), [.. statuses.OrderBy(s => s.Name, StringComparer.Ordinal)]);
    }

    /// <summary>One account in full.</summary>
    public async Task<AccountDetails> DetailsAsync(AccountEntry entry, CancellationToken cancellationToken) => new(
        time.GetUtcNow(),
        await StatusAsync(entry, cancellationToken).ConfigureAwait(false),
        AccountSpecs.ToSpec(entry.Account),
        entry.Account.ClientSecret is not null,
        [.. AccountClaims.Explicit(entry.Account)]);

    /// <summary>One account's state, token expiry, next planned refresh and last error.</summary>
    public async Task<AccountStatus> StatusAsync(AccountEntry entry, CancellationToken cancellationToken)
    {
        var (account, grant) = (entry.Account, entry.Grant);
        return new AccountStatus(
            account.Name.Value,
            AccountSpecs.Provider(account.Provider.Kind),
            account.Username,
            grant.State switch
            {
                GrantState.Active => "active",
                GrantState.Failing => "failing",
                _ => "needs_consent",
            },
            grant.ExpiresAt,
            await triggers.NextAsync(account.Name, cancellationToken).ConfigureAwait(false),
            grant.LastRefresh,
            grant.LastError,
            grant.RefreshedBy);
    }

    /// <summary>An account whose secrets cannot be read: its name and why.</summary>
    public static AccountStatus Unreadable(AccountName name, string reason) => new(name.Value, null, null, "unreadable", null, null, null, reason);
}
