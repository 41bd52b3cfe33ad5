using Microsoft.Extensions.DependencyInjection;
using Quartz;
using TokenBroker.Core.Accounts;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.Tests.Consent;

namespace TokenBroker.Daemon.Tests.Refresh;

/// <summary>Moves an in-process daemon's fake clock and lets its real Quartz scheduler catch up.</summary>
internal static class Scheduling
{
    /// <summary>
    /// Advances the clock by exactly <paramref name="by"/> in steps of at most <paramref name="step"/>; after each step
    /// waits (in real time) until every refresh that came due has run, then calls <paramref name="afterStep"/>.
    /// </summary>
    public static async Task AdvanceAsync(this InProcessDaemon daemon, TimeSpan by, TimeSpan step, Func<Task>? afterStep = null)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            daemon.Clock.Advance(step < by - moved ? step : by - moved);
            await daemon.SettleAsync();
            if (afterStep is not null)
            {
                await afterStep();
            }
        }
    }

    /// <summary>
    /// Waits until no refresh trigger is due and no refresh job runs, twice in a row; jobs waiting on the
    /// fake clock itself (<see cref="InProcessDaemon.WaitingOnClock"/>) do not count as running.
    /// </summary>
    public static async Task SettleAsync(this InProcessDaemon daemon)
    {
        var scheduler = await daemon.App.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var quiet = 0; quiet < 2;)
        {
            var due = await scheduler.QueryTriggers(new TriggerQuery { NextFireTimeBefore = daemon.Clock.GetUtcNow().AddTicks(1) }, limit.Token);
            var running = await scheduler.QueryFireInstances(new FireInstanceQuery(), limit.Token);
            quiet = due.Items.Count == 0 && running.Items.Count <= daemon.WaitingOnClock() ? quiet + 1 : 0;
            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, limit.Token);
        }
    }

    /// <summary>Waits (in real time, at most 20 s) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitForAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System, limit.Token);
        }
    }

    public static Task<TokenAnswer> LookupAsync(this InProcessDaemon daemon, string name) =>
        daemon.App.Services.GetRequiredService<TokenLookup>().GetAsync(AccountName.Parse(name), CancellationToken.None);

    public static Task<DateTimeOffset?> NextRefreshAsync(this InProcessDaemon daemon, string name) =>
        daemon.App.Services.GetRequiredService<RefreshTriggers>().NextAsync(AccountName.Parse(name), CancellationToken.None);
}
