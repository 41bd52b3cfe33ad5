using TokenBroker.Core.OAuth;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon.Consent;

/// <summary>
/// Browser consents on a shared store: each is recorded there when it starts, so the browser may
/// return to any node; the node it returns to takes it (once, across every node), finishes it and
/// records the outcome, which the starting node reads for the <c>tokenbroker consent</c> waiting on it.
/// </summary>
internal sealed partial class ConsentCoordinator
{
    private static readonly TimeSpan OutcomePoll = TimeSpan.FromSeconds(1);

    /// <summary>Records a started consent in the shared store and watches for its outcome; a failure when the store cannot take it.</summary>
    private async Task<OAuthFailure?> ShareAsync(PendingConsent pending, IConsentSession session, CancellationToken cancellationToken)
    {
        try
        {
            await shared!.SaveConsentAsync(new SharedConsent(session.State, pending.Account, session.Resumable, pending.ExpiresAt, node.Value), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            return new OAuthFailure(OAuthFailureKind.Transient, "store_unavailable", ex.Message);
        }

        _ = Task.Run(() => WatchSharedOutcomeAsync(pending, session.State), CancellationToken.None);
        return null;
    }

    private async Task<CallbackOutcome> CompleteSharedAsync(ISharedConsents consents, string state, Uri callbackUri, CancellationToken cancellationToken)
    {
        SharedConsent? taken;
        try
        {
            taken = await consents.TakeConsentAsync(state, node.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SecretUnsealException)
        {
            ConsentLog.Failed(logger, "?", ex.Message);
            return CallbackOutcome.Rejected($"The pending consent could not be read from the shared store ({ex.Message})");
        }

        _byState.TryRemove(state, out var pending);
        if (taken is null)
        {
            ConsentLog.UnknownState(logger);
            return CallbackOutcome.Rejected("This consent link is unknown, was already used, or has expired");
        }

        CallbackOutcome outcome;
        try
        {
            outcome = await FinishTakenAsync(taken, pending?.Session, callbackUri, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or AccountUnreadableException or OperationCanceledException)
        {
            // Whatever stopped it, the node waiting for this consent must hear it ended.
            ConsentLog.Failed(logger, taken.Account.Value, ex.Message);
            outcome = CallbackOutcome.Rejected($"The grant for account {taken.Account} could not be stored ({ex.Message})");
        }

        try
        {
            await consents.FinishConsentAsync(state, new ConsentResult(outcome.StatusCode, outcome.Title, outcome.Message, node.Value), CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // The grant is stored (or not) already; only the starting node's wait misses the news and ends at expiry.
            ConsentLog.Failed(logger, taken.Account.Value, $"the outcome could not be recorded for {taken.StartedBy}: {ex.Message}");
        }

        pending?.Outcome.TrySetResult(outcome);
        return outcome;
    }

    private async Task<CallbackOutcome> FinishTakenAsync(SharedConsent taken, IConsentSession? session, Uri callbackUri, CancellationToken cancellationToken)
    {
        if (taken.ExpiresAt <= time.GetUtcNow())
        {
            ConsentLog.Expired(logger, taken.Account.Value);
            return CallbackOutcome.Expired;
        }

        if (session is null)
        {
            if (taken.Resume is null || await store.FindAsync(taken.Account, cancellationToken).ConfigureAwait(false) is not { } entry
                || clients.For(entry.Account) is not CodeFlowClient codeFlow)
            {
                return CallbackOutcome.Rejected($"This consent was started on {taken.StartedBy} and can be finished only there (a Microsoft consent keeps its verifier inside the node that started it)");
            }

            var resumed = await codeFlow.ResumeConsentAsync(entry.Account, taken.State, taken.Resume, cancellationToken).ConfigureAwait(false);
            if (resumed.Value is not { } resumedSession)
            {
                return CallbackOutcome.ProviderFailed(taken.Account.Value, resumed.Failure!);
            }

            ConsentLog.TakenOver(logger, taken.Account.Value, taken.StartedBy);
            session = resumedSession;
        }

        var result = await session.CompleteAsync(callbackUri, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(taken.Account, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Until this node's consent ends here or expires, reads whether another node finished it.</summary>
    private async Task WatchSharedOutcomeAsync(PendingConsent pending, string state)
    {
        var stopping = lifetime.ApplicationStopping;
        while (!pending.Outcome.Task.IsCompleted && !stopping.IsCancellationRequested)
        {
            if (pending.ExpiresAt <= time.GetUtcNow())
            {
                Forget(pending, CallbackOutcome.Expired);
                return;
            }

            try
            {
                if (await shared!.ConsentResultAsync(state, stopping).ConfigureAwait(false) is { } result)
                {
                    Forget(pending, new CallbackOutcome(result.StatusCode, result.Title, result.Message, pending.Account.Value));
                    return;
                }

                await Task.Delay(OutcomePoll, time, stopping).ConfigureAwait(false);
            }
            catch (IOException)
            {
                await Task.Delay(OutcomePoll, time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
