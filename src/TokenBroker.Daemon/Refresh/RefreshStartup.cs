using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Plans every stored account's refresh at start: accounts whose token is missing, expired or in its
/// refresh window fire at once (no more at a time than the concurrency limit), the rest at their time.
/// </summary>
internal sealed class RefreshStartup(IGrantStore store, RefreshCoordinator coordinator, TimeProvider time, ILogger<RefreshStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        int due = 0, needConsent = 0;
        foreach (var entry in listing.Accounts)
        {
            var at = await coordinator.PlanAsync(entry, cancellationToken).ConfigureAwait(false);
            due += at <= now ? 1 : 0;
            needConsent += at is null ? 1 : 0;
        }

        RefreshLog.Started(logger, listing.Accounts.Count, due, needConsent);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
