using System.Diagnostics.CodeAnalysis;
using Quartz;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Refresh;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Metrics;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Runs refreshes: one at a time per account (a second caller joins the refresh in flight), at most
/// the configured number at once, each followed by the account's next plan — the refresh window on
/// success, backoff on a transient fault, nothing (and a notice) when the account needs consent.
/// A plan carries the last refresh it was made after; when it fires after a newer refresh (a lookup,
/// a consent or another daemon got there first), that refresh is taken and the provider not asked.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim never creates a wait handle; disposing it while a job still ends at shutdown would only throw.")]
internal sealed class RefreshCoordinator(
    GrantRefresher refresher,
    IGrantStore store,
    RefreshTriggers triggers,
    NotifyCommand notify,
    IOptionsMonitor<RefreshOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    RefreshMetrics metrics,
    ILogger<RefreshCoordinator> logger)
{
    /// <summary>How often plans that could not be stored are tried again.</summary>
    private static readonly TimeSpan ReplanEvery = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _slots = new(options.CurrentValue.Concurrency);
    private readonly Dictionary<AccountName, Task<RefreshOutcome?>> _inFlight = [];
    private readonly Dictionary<AccountName, int> _failures = [];
    private readonly Dictionary<AccountName, DateTimeOffset> _lastRefresh = [];
    private readonly HashSet<AccountName> _unplanned = [];
    private Task _replanning = Task.CompletedTask;
    private readonly Lock _gate = new();

    /// <summary>The policy of the current settings (a reload may change them; the concurrency stays as started).</summary>
    private RefreshPolicy Policy => options.CurrentValue.Policy();

    /// <summary>
    /// Refreshes <paramref name="name"/>, or joins the refresh of it already in flight. With
    /// <paramref name="unlessRefreshedAfter"/>, a refresh that finished after that time counts, and
    /// none is started. The task ends with the committed outcome, or null when no refresh ran, the
    /// account is gone, or it could not be read.
    /// </summary>
    public Task<RefreshOutcome?> RefreshAsync(AccountName name, DateTimeOffset? unlessRefreshedAfter = null) => Start(name, unlessRefreshedAfter, trustMemory: true);

    /// <summary>
    /// Runs the plan a Quartz trigger carried for <paramref name="name"/>, made after the refresh at
    /// <paramref name="basis"/> (null: after none); a refresh after that one is taken instead. The
    /// store decides that, not this node's memory: the trigger was consumed, and only a refresh's
    /// follow-up (a taken one included) plans the next.
    /// </summary>
    public Task RunPlanAsync(AccountName name, DateTimeOffset? basis, CancellationToken cancellationToken) =>
        Start(name, basis, trustMemory: false).WaitAsync(cancellationToken);

    private Task<RefreshOutcome?> Start(AccountName name, DateTimeOffset? unlessRefreshedAfter, bool trustMemory)
    {
        lock (_gate)
        {
            if (_inFlight.TryGetValue(name, out var running))
            {
                return running;
            }

            if (trustMemory && unlessRefreshedAfter is { } seen && _lastRefresh.TryGetValue(name, out var last) && last > seen)
            {
                return Task.FromResult<RefreshOutcome?>(null);
            }

            running = RunAsync(name, unlessRefreshedAfter);
            _inFlight[name] = running;
            return running;
        }
    }

    /// <summary>
    /// Plans the next refresh of a stored account (at start, after a consent): at once when its token
    /// is missing, expired or inside its refresh window; none while it needs consent.
    /// </summary>
    /// <returns>When the refresh is planned, or null when none is.</returns>
    public async Task<DateTimeOffset?> PlanAsync(AccountEntry entry, CancellationToken cancellationToken, bool log = true)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var name = entry.Account.Name;

        // A refresh of the old grant may still be finishing: let its follow-up pass first, so that
        // this plan, made from the newer entry, is the one that stays.
        Task<RefreshOutcome?>? running;
        lock (_gate)
        {
            _inFlight.TryGetValue(name, out running);
        }

        if (running is not null)
        {
            await ((Task)running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        ResetFailures(name);
        Remember(name, entry.Grant);
        if (entry.Grant.State == GrantState.NeedsConsent)
        {
            await triggers.CancelAsync(name, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var now = time.GetUtcNow();
        var policy = Policy;
        var at = policy.IsDue(entry.Grant, now) ? now : policy.RefreshAt(entry.Grant, now, Random.Shared.NextDouble());
        await TryScheduleAsync(name, at, entry.Grant.LastRefresh, cancellationToken).ConfigureAwait(false);
        if (log)
        {
            RefreshLog.Scheduled(logger, name.Value, at);
        }

        return at;
    }

    /// <summary>Plans every account's refresh (at start), in order; see <see cref="PlanAsync"/>.</summary>
    public async Task<IReadOnlyList<DateTimeOffset?>> PlanAllAsync(IReadOnlyList<AccountEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var planned = new DateTimeOffset?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            planned[i] = await PlanAsync(entries[i], cancellationToken, log: false).ConfigureAwait(false);
        }

        return planned;
    }

    /// <summary>Drops the plan of a removed account and everything remembered about it.</summary>
    public async Task ForgetAsync(AccountName name, CancellationToken cancellationToken)
    {
        await triggers.CancelAsync(name, cancellationToken).ConfigureAwait(false);
        Forget(name);
    }

    private async Task<RefreshOutcome?> RunAsync(AccountName name, DateTimeOffset? unlessRefreshedAfter)
    {
        // Leave the caller's lock before any work.
        await Task.Yield();
        var stopping = lifetime.ApplicationStopping;
        var counted = false;
        try
        {
            var outcome = await RefreshWithinLimitAsync(name, unlessRefreshedAfter, stopping).ConfigureAwait(false);
            if (outcome is null)
            {
                await triggers.CancelAsync(name, stopping).ConfigureAwait(false);
                Forget(name);
                return null;
            }

            if (outcome.Joined)
            {
                RefreshLog.Joined(logger, name.Value, outcome.Entry.Grant.RefreshedBy ?? "?", outcome.Entry.Grant.LastRefresh ?? default);
            }
            else
            {
                metrics.Record(outcome.Failure);
            }

            counted = true;
            await FollowUpAsync(outcome, stopping).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception ex) when (stopping.IsCancellationRequested && ex is OperationCanceledException or SchedulerException)
        {
            return null;
        }
        catch (Exception ex)
        {
            // An unreadable account, a full disk, a provider kind this build lacks, or a bug: whatever
            // it is, the account keeps a planned retry, or it would never be refreshed again.
            var retryAt = Policy.RetryAt(CountFailure(name), time.GetUtcNow(), null, null, Random.Shared.NextDouble());
            if (!counted)
            {
                metrics.Record("internal_error");
            }

            RefreshLog.RefreshError(logger, name.Value, $"{ex.GetType().Name}: {ex.Message}", retryAt);
            if (!stopping.IsCancellationRequested)
            {
                await TryScheduleAsync(name, retryAt, null, stopping).ConfigureAwait(false);
            }

            return null;
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(name);
            }
        }
    }

    private async Task<RefreshOutcome?> RefreshWithinLimitAsync(AccountName name, DateTimeOffset? unlessRefreshedAfter, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await refresher.RefreshAsync(name, cancellationToken, unlessRefreshedAfter).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task FollowUpAsync(RefreshOutcome outcome, CancellationToken cancellationToken)
    {
        var name = outcome.Entry.Account.Name;
        var grant = outcome.Entry.Grant;
        var now = time.GetUtcNow();
        Remember(name, grant);
        if (grant.State == GrantState.NeedsConsent)
        {
            ResetFailures(name);
            await triggers.CancelAsync(name, cancellationToken).ConfigureAwait(false);
            if (outcome.PreviousState != GrantState.NeedsConsent)
            {
                var reason = outcome.Failure?.ToString() ?? grant.LastError ?? "refresh refused";
                RefreshLog.NeedsConsent(logger, name.Value, reason);
                _ = Task.Run(() => notify.RunAsync(name, reason), CancellationToken.None);
            }

            return;
        }

        if (outcome.Failure is { } failure && grant.State == GrantState.Failing)
        {
            var failures = CountFailure(name);
            var retryAt = Policy.RetryAt(failures, now, grant.ExpiresAt, failure.RetryAfter, Random.Shared.NextDouble());
            await TryScheduleAsync(name, retryAt, grant.LastRefresh, cancellationToken).ConfigureAwait(false);
            RefreshLog.Retrying(logger, name.Value, failures, failure.ToString(), retryAt, grant.ExpiresAt);
            return;
        }

        ResetFailures(name);
        var next = Policy.RefreshAt(grant, now, Random.Shared.NextDouble());
        await TryScheduleAsync(name, next, grant.LastRefresh, cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is null && !outcome.Joined)
        {
            // (A failure of a grant that a consent replaced meanwhile is not this grant's: nothing to report.)
            RefreshLog.Refreshed(logger, name.Value, grant.ExpiresAt ?? now, next);
        }
    }

    /// <summary>
    /// Plans again every account whose plan could not be stored (the shared scheduler's database was
    /// unreachable), from the account as stored now; those that still fail stay for the next call,
    /// which comes every <see cref="ReplanEvery"/> while any is left, and whenever the account list changes.
    /// </summary>
    public async Task ReplanAsync(CancellationToken cancellationToken)
    {
        AccountName[] unplanned;
        lock (_gate)
        {
            unplanned = [.. _unplanned];
        }

        foreach (var name in unplanned)
        {
            try
            {
                if (await store.FindAsync(name, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    await PlanAsync(entry, cancellationToken).ConfigureAwait(false);
                }

                lock (_gate)
                {
                    _unplanned.Remove(name);
                }
            }
            catch (Exception ex) when (ex is SchedulerException or IOException)
            {
                RefreshLog.PlanFailed(logger, name.Value, ex.Message);
            }
            catch (AccountUnreadableException ex)
            {
                // Nothing can refresh it until it is restored or removed; the start-up report and status name it.
                RefreshLog.RefreshError(logger, name.Value, ex.Message, time.GetUtcNow());
                lock (_gate)
                {
                    _unplanned.Remove(name);
                }
            }
        }
    }

    /// <summary>Tries the unplanned accounts again every <see cref="ReplanEvery"/> until none is left.</summary>
    private async Task ReplanUntilDoneAsync()
    {
        var stopping = lifetime.ApplicationStopping;
        while (!stopping.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (_unplanned.Count == 0)
                {
                    return;
                }
            }

            await Task.Delay(ReplanEvery, time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!stopping.IsCancellationRequested)
            {
                await ReplanAsync(stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Replaces the account's plan; when the scheduler cannot store it (its database is unreachable),
    /// remembers the account for <see cref="ReplanAsync"/> instead of failing the refresh that is done.
    /// </summary>
    private async Task TryScheduleAsync(AccountName name, DateTimeOffset at, DateTimeOffset? basis, CancellationToken cancellationToken)
    {
        try
        {
            await triggers.ScheduleAsync(name, at, basis, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _unplanned.Remove(name);
            }
        }
        catch (Exception ex) when (ex is SchedulerException or IOException && !cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                _unplanned.Add(name);
                if (_replanning.IsCompleted)
                {
                    _replanning = Task.Run(ReplanUntilDoneAsync, CancellationToken.None);
                }
            }

            RefreshLog.PlanFailed(logger, name.Value, ex.Message);
        }
    }

    /// <summary>Keeps the time of the account's last refresh, so a lookup can tell one has just finished.</summary>
    private void Remember(AccountName name, Grant grant)
    {
        lock (_gate)
        {
            _lastRefresh[name] = grant.LastRefresh ?? DateTimeOffset.MinValue;
        }
    }

    private int CountFailure(AccountName name)
    {
        lock (_gate)
        {
            var failures = _failures.GetValueOrDefault(name) + 1;
            _failures[name] = failures;
            return failures;
        }
    }

    private void ResetFailures(AccountName name)
    {
        lock (_gate)
        {
            _failures.Remove(name);
        }
    }

    private void Forget(AccountName name)
    {
        lock (_gate)
        {
            _failures.Remove(name);
            _lastRefresh.Remove(name);
            _unplanned.Remove(name);
        }
    }
}
