using TokenBroker.Daemon.Admin;
using TokenBroker.Daemon.Consent;
using TokenBroker.Daemon.Refresh;

namespace TokenBroker.Daemon;

/// <summary>
/// Reads the store once at start: says what it holds and what to do next, plans every account's
/// refresh, then — once every listener is bound and signals are handled — says that the daemon is
/// ready; says when it stops. After every change of the account list — and after a shared store
/// comes back — plans again what could not be planned.
/// </summary>
internal sealed class StartupReport(
    WatchedGrantStore store,
    RefreshCoordinator refreshes,
    TimeProvider time,
    LoopbackEndpoint endpoint,
    AdminSocketPath adminSocket,
    IHostApplicationLifetime lifetime,
    ILogger<StartupReport> logger) : IHostedService
{
    /// <summary>Accounts named one by one in the start-up log; beyond these only the counts are.</summary>
    public const int AccountsNamed = 20;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var planned = await refreshes.PlanAllAsync(listing.Accounts, cancellationToken).ConfigureAwait(false);
        foreach (var (entry, next) in listing.Accounts.Zip(planned).Take(AccountsNamed))
        {
            DaemonLog.Account(logger, entry.Account.Name.Value, entry.Grant.State, next is { } at ? $"next refresh {at:u}" : "no refresh planned");
        }

        foreach (var unreadable in listing.Unreadable)
        {
            DaemonLog.UnreadableAccount(logger, unreadable.Name.Value, unreadable.Reason);
        }

        if (listing.Accounts.Count + listing.Unreadable.Count == 0)
        {
            DaemonLog.NoAccounts(logger);
        }
        else
        {
            var now = time.GetUtcNow();
            RefreshLog.Started(logger, listing.Accounts.Count, planned.Count(p => p <= now), planned.Count(p => p is null));
        }

        store.AccountsChanged += (_, _) => _ = refreshes.ReplanAsync(lifetime.ApplicationStopping);
        var (readableCount, unreadableCount) = (listing.Accounts.Count, listing.Unreadable.Count);
        lifetime.ApplicationStarted.Register(() =>
        {
            // Opening and checking the store and the listing above are the daemon's
            // largest allocations, made once and dead by now: give that memory back to the system.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            DaemonLog.Ready(logger, readableCount, unreadableCount, endpoint.RedirectUri, adminSocket.Path);
        });
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        DaemonLog.Stopping(logger);
        return Task.CompletedTask;
    }
}
