using TokenBroker.Core.Grants;
using TokenBroker.Core.Storage;

namespace TokenBroker.Core.OAuth;

/// <summary>The stored account after a refresh, the failure if the refresh failed, and the state before it.</summary>
/// <param name="Entry">The account as committed to the store.</param>
/// <param name="Failure">Why the refresh failed, or null.</param>
/// <param name="PreviousState">The grant's state before this refresh, to tell a new state from a repeated one.</param>
/// <param name="Joined">
/// True when the grant had been refreshed (or consented) by someone else since the caller last saw it:
/// the provider was not asked, and <paramref name="Entry"/> holds that other refresh's result.
/// </param>
public sealed record RefreshOutcome(AccountEntry Entry, OAuthFailure? Failure, GrantState PreviousState, bool Joined = false);
