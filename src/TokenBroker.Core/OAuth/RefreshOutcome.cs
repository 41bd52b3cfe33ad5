using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Core.OAuth;

/// <summary>The stored account after a refresh, the failure if the refresh failed, and the state before it.</summary>
/// <param name="Entry">The account as committed to the store.</param>
/// <param name="Failure">Why the refresh failed, or null.</param>
/// <param name="PreviousState">The grant's state before this refresh, to tell a new state from a repeated one.</param>
public sealed record RefreshOutcome(AccountEntry Entry, OAuthFailure? Failure, GrantState PreviousState);
