using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.OAuth;

/// <summary>
/// Random values for the authorization request: a 32-byte <c>state</c> and a PKCE S256 pair. The
/// challenge is base64url without padding, as RFC 7636 requires.
/// </summary>
public static class Pkce
{
    /// <summary>The only challenge method used.</summary>
    public const string Method = "S256";

    /// <summary>32 random bytes, base64url (43 characters).</summary>
    public static string NewState() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new code verifier (32 random bytes, base64url).</summary>
    public static Secret NewVerifier() => Secret.FromText(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));

    /// <summary>The S256 challenge of <paramref name="verifier"/>.</summary>
    public static string Challenge(Secret verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier.Reveal())));
    }
}
