using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Web;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Grants;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Refresh;

namespace TokenBroker.Daemon.Consent;

/// <summary>
/// Pending consents. A browser consent is keyed by its <c>state</c>, used once and expires after the
/// configured timeout; the PKCE verifier never leaves this process. A device consent polls in the
/// background. Either way the grant is committed to the store, and its refresh planned, before
/// success is reported.
/// </summary>
internal sealed partial class ConsentCoordinator(
    IGrantStore store,
    OAuthClients clients,
    LoopbackEndpoint endpoint,
    IOptions<ConsentOptions> options,
    RefreshCoordinator refreshes,
    NodeName node,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<ConsentCoordinator> logger,
    ISharedConsents? shared = null)
{
    private readonly ConcurrentDictionary<string, PendingConsent> _byState = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingConsent> _byId = new(StringComparer.Ordinal);

    /// <summary>Starts a browser consent; null when no account has that name.</summary>
    public async Task<OAuthResult<StartedConsent>?> StartAsync(AccountName name, CancellationToken cancellationToken)
    {
        if (await FindAsync(name, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return null;
        }

        var begun = await clients.For(entry.Account).BeginConsentAsync(entry.Account, endpoint.RedirectUri, cancellationToken).ConfigureAwait(false);
        if (begun.Value is not { } session)
        {
            return begun.Failure!;
        }

        var pending = Register(name, session, time.GetUtcNow() + options.Value.Timeout);
        if (shared is not null && await ShareAsync(pending, session, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            _byId.TryRemove(pending.Id, out _);
            return failure;
        }

        _byState[session.State] = pending;
        ConsentLog.Started(logger, name.Value, endpoint.RedirectUri);
        return OAuthResult.Success(new StartedConsent(
            new ConsentStarted(pending.Id, session.AuthorizationUri, endpoint.RedirectUri, null, null, pending.ExpiresAt),
            pending.Outcome.Task));
    }

    /// <summary>Starts a device-code consent that polls in the background; null when no account has that name.</summary>
    public async Task<OAuthResult<StartedConsent>?> StartDeviceAsync(AccountName name, CancellationToken cancellationToken)
    {
        if (await FindAsync(name, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return null;
        }

        var begun = await clients.For(entry.Account).BeginDeviceConsentAsync(entry.Account, cancellationToken).ConfigureAwait(false);
        if (begun.Value is not { } device)
        {
            return begun.Failure!;
        }

        var pending = Register(name, null, device.ExpiresAt);
        ConsentLog.DeviceStarted(logger, name.Value, device.VerificationUri);
        _ = Task.Run(() => WaitForDeviceAsync(name, device, pending), CancellationToken.None);
        return OAuthResult.Success(new StartedConsent(
            new ConsentStarted(pending.Id, null, null, device.UserCode, device.VerificationUriComplete ?? device.VerificationUri, device.ExpiresAt),
            pending.Outcome.Task));
    }

    /// <summary>The outcome of consent <paramref name="id"/>, or null for an unknown id.</summary>
    public Task<CallbackOutcome>? Outcome(string id) => _byId.TryGetValue(id, out var pending) ? pending.Outcome.Task : null;

    /// <summary>
    /// Handles the browser's return (or a pasted final URL): a known, unexpired, unused
    /// <c>state</c> redeems the code and stores the grant; anything else is refused and changes nothing.
    /// </summary>
    public async Task<CallbackOutcome> CompleteAsync(Uri callbackUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUri);
        var state = HttpUtility.ParseQueryString(callbackUri.Query)["state"];
        if (shared is not null && !string.IsNullOrEmpty(state))
        {
            return await CompleteSharedAsync(shared, state, callbackUri, cancellationToken).ConfigureAwait(false);
        }

        if (string.IsNullOrEmpty(state) || !_byState.TryRemove(state, out var pending) || pending.Session is null)
        {
            ConsentLog.UnknownState(logger);
            return CallbackOutcome.Rejected("This consent link is unknown, was already used, or has expired");
        }

        if (pending.ExpiresAt <= time.GetUtcNow())
        {
            ConsentLog.Expired(logger, pending.Account.Value);
            pending.Outcome.TrySetResult(CallbackOutcome.Expired);
            return CallbackOutcome.Expired;
        }

        var result = await pending.Session.CompleteAsync(callbackUri, cancellationToken).ConfigureAwait(false);
        var outcome = await FinishAsync(pending.Account, result, cancellationToken).ConfigureAwait(false);
        pending.Outcome.TrySetResult(outcome);
        return outcome;
    }

    private async Task WaitForDeviceAsync(AccountName name, IDeviceConsent device, PendingConsent pending)
    {
        try
        {
            var result = await device.WaitAsync(lifetime.ApplicationStopping).ConfigureAwait(false);
            pending.Outcome.TrySetResult(await FinishAsync(name, result, lifetime.ApplicationStopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            pending.Outcome.TrySetResult(CallbackOutcome.Rejected("The daemon stopped before the device consent finished"));
        }
        catch (Exception ex) when (ex is IOException or AccountUnreadableException)
        {
            // Nobody awaits this task: the waiting CLI must hear about the failure.
            ConsentLog.Failed(logger, name.Value, ex.Message);
            pending.Outcome.TrySetResult(CallbackOutcome.Rejected($"The grant for account {name} could not be stored ({ex.Message})"));
        }
    }

    private async Task<CallbackOutcome> FinishAsync(AccountName name, OAuthResult<IssuedTokens> result, CancellationToken cancellationToken)
    {
        if (result.Value is not { } tokens)
        {
            ConsentLog.Failed(logger, name.Value, result.Failure!.ToString());
            return CallbackOutcome.ProviderFailed(name.Value, result.Failure!);
        }

        var committed = await store.UpdateGrantAsync(name, grant => GrantUpdates.Issued(grant, tokens, node.Value), cancellationToken).ConfigureAwait(false);
        if (committed is null)
        {
            return CallbackOutcome.Rejected($"Account {name} was removed while its consent was pending");
        }

        ConsentLog.Stored(logger, name.Value, tokens.ExpiresAt);
        // Stored: the plan must follow even if the browser that brought the code has gone away.
        await refreshes.PlanAsync(committed, CancellationToken.None).ConfigureAwait(false);
        return CallbackOutcome.Stored(name.Value);
    }

    /// <summary>Drops expired consents, then finds the account a new consent is for.</summary>
    private Task<AccountEntry?> FindAsync(AccountName name, CancellationToken cancellationToken)
    {
        RemoveExpired();
        return store.FindAsync(name, cancellationToken);
    }

    private PendingConsent Register(AccountName name, IConsentSession? session, DateTimeOffset expiresAt)
    {
        var pending = new PendingConsent(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), name, session, expiresAt);
        _byId[pending.Id] = pending;
        return pending;
    }

    private void RemoveExpired()
    {
        var now = time.GetUtcNow();
        foreach (var pending in _byId.Values.Where(p => p.ExpiresAt <= now))
        {
            Forget(pending, CallbackOutcome.Expired);
        }
    }

    /// <summary>Drops a pending consent, by id and by state, and ends its wait with <paramref name="outcome"/>.</summary>
    private void Forget(PendingConsent pending, CallbackOutcome outcome)
    {
        _byId.TryRemove(pending.Id, out _);
        if (pending.Session is not null)
        {
            _byState.TryRemove(pending.Session.State, out _);
        }

        pending.Outcome.TrySetResult(outcome);
    }

    private sealed record PendingConsent(string Id, AccountName Account, IConsentSession? Session, DateTimeOffset ExpiresAt)
    {
        public TaskCompletionSource<CallbackOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
