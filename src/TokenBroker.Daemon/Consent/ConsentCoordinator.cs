using System.Collections.Concurrent;
using System.Web;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Storage;

namespace TokenBroker.Daemon.Consent;

/// <summary>
/// Pending browser consents, keyed by their <c>state</c>: each is used once and expires after the
/// configured timeout. The PKCE verifier never leaves this process. A callback is answered with
/// success only after the code was exchanged and the grant committed to the store.
/// </summary>
internal sealed class ConsentCoordinator(
    IGrantStore store,
    OAuthClients clients,
    LoopbackEndpoint endpoint,
    IOptions<ConsentOptions> options,
    TimeProvider time,
    ILogger<ConsentCoordinator> logger)
{
    private readonly ConcurrentDictionary<string, PendingConsent> _pending = new(StringComparer.Ordinal);

    /// <summary>Starts a consent for <paramref name="name"/>: the URL to open, and a task that ends with the outcome.</summary>
    /// <returns>Null when no account has that name.</returns>
    public async Task<OAuthResult<StartedConsent>?> StartAsync(AccountName name, CancellationToken cancellationToken)
    {
        RemoveExpired();
        var entry = await store.FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return null;
        }

        var begun = await clients.For(entry.Account).BeginConsentAsync(entry.Account, endpoint.RedirectUri, cancellationToken).ConfigureAwait(false);
        if (begun.Value is not { } session)
        {
            return begun.Failure!;
        }

        var pending = new PendingConsent(name, session, time.GetUtcNow() + options.Value.Timeout);
        _pending[session.State] = pending;
        ConsentLog.Started(logger, name.Value, endpoint.RedirectUri);
        return OAuthResult.Success(new StartedConsent(session.AuthorizationUri, pending.Outcome.Task));
    }

    /// <summary>
    /// Handles the browser's return (or a pasted final URL): a known, unexpired, unused
    /// <c>state</c> redeems the code and stores the grant; anything else is refused and changes nothing.
    /// </summary>
    public async Task<CallbackOutcome> CompleteAsync(Uri callbackUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUri);
        var state = HttpUtility.ParseQueryString(callbackUri.Query)["state"];
        if (string.IsNullOrEmpty(state) || !_pending.TryRemove(state, out var pending))
        {
            ConsentLog.UnknownState(logger);
            return CallbackOutcome.Rejected("This consent link is unknown, was already used, or has expired");
        }

        var account = pending.Account.Value;
        if (pending.ExpiresAt <= time.GetUtcNow())
        {
            ConsentLog.Expired(logger, account);
            pending.Outcome.TrySetResult(CallbackOutcome.Rejected("This consent has expired"));
            return CallbackOutcome.Rejected("This consent has expired");
        }

        var result = await pending.Session.CompleteAsync(callbackUri, cancellationToken).ConfigureAwait(false);
        CallbackOutcome outcome;
        if (result.Value is { } tokens)
        {
            var committed = await store.UpdateGrantAsync(pending.Account, grant => GrantUpdates.Issued(grant, tokens), cancellationToken).ConfigureAwait(false);
            outcome = committed is null
                ? CallbackOutcome.Rejected($"Account {account} was removed while its consent was pending")
                : CallbackOutcome.Stored(account);
            ConsentLog.Stored(logger, account, tokens.ExpiresAt);
        }
        else
        {
            ConsentLog.Failed(logger, account, result.Failure!.ToString());
            outcome = CallbackOutcome.ProviderFailed(account, result.Failure!);
        }

        pending.Outcome.TrySetResult(outcome);
        return outcome;
    }

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        foreach (var (state, pending) in _pending)
        {
            if (pending.ExpiresAt <= now && _pending.TryRemove(state, out _))
            {
                pending.Outcome.TrySetResult(CallbackOutcome.Rejected("This consent has expired"));
            }
        }
    }

    private sealed record PendingConsent(AccountName Account, IConsentSession Session, DateTimeOffset ExpiresAt)
    {
        public TaskCompletionSource<CallbackOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
