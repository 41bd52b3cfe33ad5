using Quartz;
using TokenBroker.Core.Accounts;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// The Quartz side of refreshing: one durable job per account and one one-shot trigger that is
/// replaced after every refresh, consent or failure. A trigger whose time passed while the daemon
/// was busy, stopped or suspended fires at once.
/// </summary>
internal sealed class RefreshTriggers(ISchedulerFactory schedulers, TimeProvider time)
{
    private const string Group = "refresh";

    /// <summary>The job data key of the last refresh (Unix milliseconds) a plan was made after.</summary>
    private const string BasisKey = "basis";

    /// <summary>
    /// Sets <paramref name="account"/>'s next refresh to <paramref name="at"/>, replacing any earlier
    /// plan; the trigger carries <paramref name="basis"/>, the last refresh the plan was made after.
    /// </summary>
    public async Task ScheduleAsync(AccountName account, DateTimeOffset at, DateTimeOffset? basis, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        // Recovery: a refresh that was running on a node that died runs again on another (the shared store's cluster).
        var job = JobBuilder.Create<RefreshJob>().WithIdentity(account.Value, Group).StoreDurably().RequestRecovery().Build();
        // The trigger's own clock decides "now" when a misfire fires it: it must be the scheduler's.
        var trigger = TriggerBuilder.Create(time)
            .WithIdentity(account.Value, Group)
            .ForJob(job)
            .StartAt(at)
            .UsingJobData(BasisKey, basis?.ToUnixTimeMilliseconds() ?? long.MinValue)
            .WithSimpleSchedule(schedule => schedule.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops <paramref name="account"/>'s planned refresh, if any.</summary>
    public async Task CancelAsync(AccountName account, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await scheduler.UnscheduleJob(new TriggerKey(account.Value, Group), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>When <paramref name="account"/> is next refreshed, or null when nothing is planned.</summary>
    public async Task<DateTimeOffset?> NextAsync(AccountName account, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var trigger = await scheduler.GetTrigger(new TriggerKey(account.Value, Group), cancellationToken).ConfigureAwait(false);
        return trigger?.NextFireTimeUtc;
    }

    /// <summary>The last refresh a fired trigger's plan was made after, or null when it was made after none.</summary>
    public static DateTimeOffset? Basis(ITrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        // A recovery trigger (a node died during the refresh) may carry no plan: it refreshes whatever the grant is.
        return trigger.JobDataMap.TryGetLong(BasisKey, out var basis) && basis != long.MinValue ? DateTimeOffset.FromUnixTimeMilliseconds(basis) : null;
    }
}
