using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Admin;
using TokenBroker.Daemon.Consent;

namespace TokenBroker.Daemon;

/// <summary>
/// Says at start what the store holds and what to do next, then — once every listener is bound and
/// signals are handled — that the daemon is ready; says when it stops.
/// </summary>
internal sealed class StartupReport(IGrantStore store, LoopbackEndpoint endpoint, AdminSocketPath adminSocket, IHostApplicationLifetime lifetime, ILogger<StartupReport> logger) : IHostedService
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

        lifetime.ApplicationStarted.Register(() =>
            DaemonLog.Ready(logger, listing.Accounts.Count, listing.Unreadable.Count, endpoint.RedirectUri, adminSocket.Path));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        DaemonLog.Stopping(logger);
        return Task.CompletedTask;
    }
}
