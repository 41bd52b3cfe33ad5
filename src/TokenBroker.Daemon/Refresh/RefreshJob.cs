using Quartz;
using TokenBroker.Core.Accounts;

namespace TokenBroker.Daemon.Refresh;

/// <summary>The Quartz job of one account: runs its refresh; never two at once for one account.</summary>
[DisallowConcurrentExecution]
internal sealed class RefreshJob(RefreshCoordinator coordinator) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var basis = RefreshTriggers.Basis(context.Trigger);
        await coordinator.RunPlanAsync(AccountName.Parse(context.JobDetail.Key.Name), basis, cancellationToken).ConfigureAwait(false);
    }
}
