using TokenBroker.Core.Accounts;
using TokenBroker.Core.OAuth;

namespace TokenBroker.Core.Storage;

/// <summary>
/// Pending browser consents kept in a shared store, so the browser may return to any node: each is
/// taken once across every node, and the outcome is left for the node that started it.
/// </summary>
public interface ISharedConsents
{
    /// <summary>Records a consent this node started (its verifier sealed); drops consents expired a day ago.</summary>
    Task SaveConsentAsync(SharedConsent consent, CancellationToken cancellationToken);

    /// <summary>Takes the consent with <paramref name="state"/> for <paramref name="node"/>; null when unknown or already taken.</summary>
    Task<SharedConsent?> TakeConsentAsync(string state, string node, CancellationToken cancellationToken);

    /// <summary>Records how a taken consent ended, for the node that started it.</summary>
    Task FinishConsentAsync(string state, ConsentResult result, CancellationToken cancellationToken);

    /// <summary>How the consent with <paramref name="state"/> ended, or null while it has not.</summary>
    Task<ConsentResult?> ConsentResultAsync(string state, CancellationToken cancellationToken);
}

/// <summary>A pending browser consent as a shared store keeps it.</summary>
/// <param name="State">The <c>state</c> the callback must carry (stored as a hash).</param>
/// <param name="Account">The account being consented.</param>
/// <param name="Resume">The redirect URI and PKCE verifier, or null when only the starting node can finish it.</param>
/// <param name="ExpiresAt">When the consent expires.</param>
/// <param name="StartedBy">The node that started it.</param>
public sealed record SharedConsent(string State, AccountName Account, ConsentResume? Resume, DateTimeOffset ExpiresAt, string StartedBy);

/// <summary>How a consent ended on the node that took it.</summary>
/// <param name="StatusCode">The HTTP status the browser was shown.</param>
/// <param name="Title">The page's title.</param>
/// <param name="Message">The page's message; never a secret.</param>
/// <param name="TakenBy">The node that finished it.</param>
public sealed record ConsentResult(int StatusCode, string Title, string Message, string TakenBy);
