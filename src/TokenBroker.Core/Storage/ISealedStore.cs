using TokenBroker.Core.Admin;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.Storage;

/// <summary>A store whose secrets are sealed with a master key that can be replaced while it runs.</summary>
public interface ISealedStore
{
    /// <summary>The key every secret is sealed with now.</summary>
    MasterKey Key { get; }

    /// <summary>
    /// Seals everything with a new random key and replaces the key file with it, so that a crash at
    /// any moment leaves a store that opens with the old key file or the new one.
    /// </summary>
    /// <exception cref="SetupException">The key cannot be replaced, or an account cannot be read; nothing was changed.</exception>
    Task<KeyChange> RekeyAsync(CancellationToken cancellationToken);
}
