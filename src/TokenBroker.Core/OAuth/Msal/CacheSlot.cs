using Microsoft.Identity.Client;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.OAuth.Msal;

/// <summary>
/// One account's MSAL token cache for one operation: loaded from the grant before MSAL reads it,
/// captured after MSAL changes it, so the caller can commit it (sealed) before using the new token.
/// </summary>
internal sealed class CacheSlot(Secret? initial)
{
    private byte[]? _data = initial?.RevealBytes().ToArray();

    /// <summary>The serialized cache, if MSAL changed it during the operation.</summary>
    public Secret? Changed { get; private set; }

    public void Attach(ITokenCache cache)
    {
        cache.SetBeforeAccess(args =>
        {
            if (_data is not null)
            {
                args.TokenCache.DeserializeMsalV3(_data, shouldClearExistingCache: true);
            }
        });
        cache.SetAfterAccess(args =>
        {
            if (args.HasStateChanged)
            {
                _data = args.TokenCache.SerializeMsalV3();
                Changed = Secret.FromBytes(_data);
            }
        });
    }
}
