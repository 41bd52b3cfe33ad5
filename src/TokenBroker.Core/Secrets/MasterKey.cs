using System.Security.Cryptography;
using System.Text;

namespace TokenBroker.Core.Secrets;

/// <summary>
/// The 32-byte AES-256 key that seals every secret in the store, with where it came from and a
/// short key id (an HMAC of a fixed label, so the id reveals nothing about the key).
/// </summary>
public sealed class MasterKey : IDisposable
{
    /// <summary>The key size in bytes.</summary>
    public const int Size = 32;

    private static readonly byte[] KeyIdLabel = Encoding.ASCII.GetBytes("tokenbroker key id v1");

    private readonly byte[] _key;

    /// <summary>Creates a master key from exactly <see cref="Size"/> bytes.</summary>
    /// <param name="key">The key bytes; copied.</param>
    /// <param name="source">Where the key came from, for messages (a path, never the key).</param>
    public MasterKey(ReadOnlySpan<byte> key, string source)
    {
        if (key.Length != Size)
        {
            throw new ArgumentException($"A master key has {Size} bytes, not {key.Length}.", nameof(key));
        }

        _key = key.ToArray();
        Source = source;
        KeyId = Convert.ToHexStringLower(HMACSHA256.HashData(_key, KeyIdLabel).AsSpan(0, 8));
    }

    /// <summary>Where the key came from (a file path).</summary>
    public string Source { get; }

    /// <summary>A 16-hex-digit id that tells keys apart without revealing them.</summary>
    public string KeyId { get; }

    /// <summary>A new random key.</summary>
    public static MasterKey Generate(string source) =>
        new(RandomNumberGenerator.GetBytes(Size), source);

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>Zeroes the key bytes.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    /// <summary>The key id and source; never the key.</summary>
    public override string ToString() => $"master key {KeyId} from {Source}";
}
