using Quartz;
using TokenBroker.Core;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Refresh;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Runs refreshes: one at a time per account (a second caller joins the refresh in flight), at most
/// the configured number at once, each followed by the account's next plan — the refresh window on
/// success, backoff on a transient fault, nothing (and a notice) when the account needs consent.
/// </summary>
internal sealed class RefreshCoordinator(
    IGrantStore store,
    GrantRefresher refresher,
    RefreshTriggers triggers,
    NotifyCommand notify,
    IOptions<RefreshOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<RefreshCoordinator> logger) : IDisposable
{
    private readonly RefreshPolicy _policy = options.Value.Policy();
    private readonly SemaphoreSlim _slots = new(options.Value.Concurrency);
    private readonly Dictionary<AccountName, Task<RefreshOutcome?>> _inFlight = [];
    private readonly Dictionary<AccountName, int> _failures = [];
    private readonly Lock _gate = new();

    /// <summary>The policy in force.</summary>
    public RefreshPolicy Policy => _policy;

    /// <summary>
    /// Refreshes <paramref name="name"/>, or joins the refresh of it already in flight. The task
    /// ends with the committed outcome, or null when the account is gone or could not be read.
    /// </summary>
    public Task<RefreshOutcome?> RefreshAsync(AccountName name)
    {
        lock (_gate)
        {
            if (!_inFlight.TryGetValue(name, out var running))
            {
                running = RunAsync(name);
                _inFlight[name] = running;
            }

            return running;
        }
    }

    /// <summary>
    /// The scheduled refresh planned for <paramref name="plannedAt"/>: skipped when the account was
    /// refreshed since (a lookup got there first), as its next refresh is then planned already.
    /// </summary>
    public async Task RefreshUnlessDoneAsync(AccountName name, DateTimeOffset plannedAt, CancellationToken cancellationToken)
    {
        AccountEntry? entry;
        try
        {
            entry = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (AccountUnreadableException)
        {
            entry = null; // the refresh below logs it and plans a retry
        }

        if (entry?.Grant.LastRefresh is { } last && last >= plannedAt)
        {
            return;
        }

        await RefreshAsync(name).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Plans the next refresh of a stored account (at start, after a consent): at once when its token
    /// is missing, expired or inside its refresh window; none while it needs consent.
    /// </summary>
    /// <returns>When the refresh is planned, or null when none is.</returns>
    public async Task<DateTimeOffset?> PlanAsync(AccountEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var name = entry.Account.Name;
        ResetFailures(name);
        if (entry.Grant.State == GrantState.NeedsConsent)
        {
            await triggers.CancelAsync(name, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var now = time.GetUtcNow();
        var at = _policy.IsDue(entry.Grant, now) ? now : _policy.RefreshAt(entry.Grant, now, Random.Shared.NextDouble());
        await triggers.ScheduleAsync(name, at, cancellationToken).ConfigureAwait(false);
        RefreshLog.Scheduled(logger, name.Value, at);
        return at;
    }

    public void Dispose() => _slots.Dispose();

    private async Task<RefreshOutcome?> RunAsync(AccountName name)
    {
        // Leave the caller's lock before any work.
        await Task.Yield();
        var stopping = lifetime.ApplicationStopping;
        try
        {
            var outcome = await RefreshWithinLimitAsync(name, stopping).ConfigureAwait(false);
            if (outcome is null)
            {
                await triggers.CancelAsync(name, stopping).ConfigureAwait(false);
                return null;
            }

            await FollowUpAsync(outcome, stopping).ConfigureAwait(false);
            return outcome;
        }
        catch (Exception ex) when (ex is AccountUnreadableException or IOException or SetupException)
        {
            var retryAt = _policy.RetryAt(CountFailure(name), time.GetUtcNow(), null, null, Random.Shared.NextDouble());
            RefreshLog.Unreadable(logger, name.Value, ex.Message, retryAt);
            await triggers.ScheduleAsync(name, retryAt, stopping).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (stopping.IsCancellationRequested && ex is OperationCanceledException or SchedulerException)
        {
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

    private async Task<RefreshOutcome?> RefreshWithinLimitAsync(AccountName name, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await refresher.RefreshAsync(name, cancellationToken).ConfigureAwait(false);
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
        if (grant.State == GrantState.NeedsConsent)
        {
            ResetFailures(name);
            await triggers.CancelAsync(name, cancellationToken).ConfigureAwait(false);
            if (outcome.PreviousState != GrantState.NeedsConsent)
            {
                var reason = outcome.Failure?.ToString() ?? grant.LastError ?? "refresh refused";
                RefreshLog.NeedsConsent(logger, name.Value, reason);
                _ = Task.Run(() => notify.RunAsync(name, GrantState.NeedsConsent, reason), CancellationToken.None);
            }

            return;
        }

        if (outcome.Failure is { } failure && grant.State == GrantState.Failing)
        {
            var failures = CountFailure(name);
            var retryAt = _policy.RetryAt(failures, now, grant.ExpiresAt, failure.RetryAfter, Random.Shared.NextDouble());
            await triggers.ScheduleAsync(name, retryAt, cancellationToken).ConfigureAwait(false);
            RefreshLog.Retrying(logger, name.Value, failures, failure.ToString(), retryAt, grant.ExpiresAt);
            return;
        }

        ResetFailures(name);
        var next = _policy.RefreshAt(grant, now, Random.Shared.NextDouble());
        await triggers.ScheduleAsync(name, next, cancellationToken).ConfigureAwait(false);
        RefreshLog.Refreshed(logger, name.Value, grant.ExpiresAt ?? now, next);
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
}
