using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.OAuth;

/// <summary>Picks the client for an account's provider kind.</summary>
public sealed class OAuthClients(IReadOnlyDictionary<ProviderKind, IOAuthClient> clients)
{
    /// <summary>The client for <paramref name="account"/>.</summary>
    /// <exception cref="SetupException">No client handles the account's provider kind.</exception>
    public IOAuthClient For(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return clients.TryGetValue(account.Provider.Kind, out var client)
            ? client
            : throw new SetupException($"account {account.Name} uses provider '{account.Provider.Kind}', which this build does not support yet");
    }
}
