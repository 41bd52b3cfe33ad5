using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.OAuth;

/// <summary>What every provider request needs from the account, reported as a failure rather than thrown.</summary>
internal static class AccountChecks
{
    public static OAuthFailure? MissingClientId(Account account) => string.IsNullOrWhiteSpace(account.ClientId)
        ? new OAuthFailure(OAuthFailureKind.Permanent, "no_client_id", $"account {account.Name} has no OAuth2 client id; give it one (account add --client-id ID)")
        : null;
}
