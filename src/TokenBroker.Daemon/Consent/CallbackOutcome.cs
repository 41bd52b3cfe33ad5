using TokenBroker.Core.OAuth;

namespace TokenBroker.Daemon.Consent;

/// <summary>What a consent callback led to, and what the browser is shown.</summary>
internal sealed record CallbackOutcome(int StatusCode, string Title, string Message, string? Account = null, OAuthFailure? Failure = null)
{
    public static CallbackOutcome Expired { get; } = Rejected("This consent has expired");

    public static CallbackOutcome Rejected(string reason) =>
        new(StatusCodes.Status400BadRequest, "Consent link not valid", $"{reason}. Nothing was changed. Start again with: tokenbroker consent ACCOUNT");

    public static CallbackOutcome Stored(string account) =>
        new(StatusCodes.Status200OK, "Consent stored", $"TokenBroker now holds a grant for account {account}. You can close this window.", account);

    public static CallbackOutcome ProviderFailed(string account, OAuthFailure failure) => new(
        failure.Kind == OAuthFailureKind.Transient ? StatusCodes.Status502BadGateway : StatusCodes.Status400BadRequest,
        "Consent failed",
        $"The provider answered: {failure}. Nothing was stored. Try again with: tokenbroker consent {account}",
        account,
        failure);
}
