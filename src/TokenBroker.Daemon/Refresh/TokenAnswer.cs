using TokenBroker.Core.Secrets;

namespace TokenBroker.Daemon.Refresh;

/// <summary>What a lookup of an account's token found.</summary>
internal enum TokenAnswerKind
{
    /// <summary>A valid token.</summary>
    Token,

    /// <summary>No account has that name.</summary>
    Unknown,

    /// <summary>No usable token, and only a person running <c>tokenbroker consent</c> can fix it.</summary>
    NeedsConsent,

    /// <summary>No usable token right now; a refresh is under way or retrying.</summary>
    Unavailable,
}

/// <summary>The answer to a token lookup.</summary>
/// <param name="Kind">What was found.</param>
/// <param name="Username">The account's login name, when the account exists.</param>
/// <param name="Token">The access token, for <see cref="TokenAnswerKind.Token"/>.</param>
/// <param name="ExpiresAt">When the token expires, for <see cref="TokenAnswerKind.Token"/>.</param>
/// <param name="Reason">Why there is no token; never a secret.</param>
internal sealed record TokenAnswer(TokenAnswerKind Kind, string? Username, Secret? Token, DateTimeOffset? ExpiresAt, string? Reason);
