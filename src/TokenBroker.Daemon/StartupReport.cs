using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon;

/// <summary>Says at start what the store holds and what to do next; says when the daemon stops.</summary>
internal sealed class StartupReport(IGrantStore store, ILogger<StartupReport> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var listing = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in listing.Accounts)
        {
            DaemonLog.Account(logger, entry.Account.Name.Value, entry.Grant.State);
        }

        foreach (var unreadable in listing.Unreadable)
        {
            DaemonLog.UnreadableAccount(logger, unreadable.Name.Value, unreadable.Reason);
        }

        if (listing.Accounts.Count + listing.Unreadable.Count == 0)
        {
            DaemonLog.NoAccounts(logger);
        }

        DaemonLog.Ready(logger, listing.Accounts.Count, listing.Unreadable.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        DaemonLog.Stopping(logger);
        return Task.CompletedTask;
    }
}
