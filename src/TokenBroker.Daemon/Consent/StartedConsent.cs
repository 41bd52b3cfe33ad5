namespace TokenBroker.Daemon.Consent;

/// <summary>A consent that waits for the browser: the URL to open and the outcome to come.</summary>
internal sealed record StartedConsent(Uri AuthorizationUri, Task<CallbackOutcome> Outcome);
