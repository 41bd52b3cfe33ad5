using TokenBroker.Core.Admin;

namespace TokenBroker.Daemon.Consent;

/// <summary>A consent that waits for the person: what to show them, and the outcome to come.</summary>
internal sealed record StartedConsent(ConsentStarted Info, Task<CallbackOutcome> Outcome)
{
    public Uri AuthorizationUri => Info.AuthorizationUri ?? throw new InvalidOperationException("a device consent has no authorization URL");
}
