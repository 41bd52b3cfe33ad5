using TokenBroker.Core.Storage;

namespace TokenBroker.Core.OAuth;

/// <summary>The stored account after a refresh, and the failure if the refresh failed.</summary>
/// <param name="Entry">The account as committed to the store.</param>
/// <param name="Failure">Why the refresh failed, or null.</param>
public sealed record RefreshOutcome(AccountEntry Entry, OAuthFailure? Failure);
