using System.Security.Cryptography;
using System.Text;
using TokenBroker.Core.Accounts;

namespace TokenBroker.Core.Secrets;

/// <summary>
/// Seals secret fields with AES-256-GCM. The associated data names the account and the field, so a
/// ciphertext moved to another account or field fails authentication.
/// Layout: version (1 byte) | nonce (12) | ciphertext | tag (16).
/// </summary>
public sealed class SecretSealer
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;

    private readonly MasterKey _key;

    /// <summary>Creates a sealer that uses <paramref name="key"/>.</summary>
    public SecretSealer(MasterKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    /// <summary>Encrypts and authenticates <paramref name="secret"/> for one account's field.</summary>
    public byte[] Seal(Secret secret, AccountName account, SecretField field)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var plaintext = secret.RevealBytes();
        var output = new byte[Overhead + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var ciphertext = output.AsSpan(1 + NonceSize, plaintext.Length);
        var tag = output.AsSpan(1 + NonceSize + plaintext.Length, TagSize);
        using var aes = new AesGcm(_key.Bytes, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(account, field));
        return output;
    }

    /// <summary>Checks and decrypts a value sealed by <see cref="Seal"/>.</summary>
    /// <exception cref="SecretUnsealException">The value is malformed or fails authentication.</exception>
    public Secret Unseal(ReadOnlySpan<byte> sealedValue, AccountName account, SecretField field)
    {
        if (sealedValue.Length < Overhead || sealedValue[0] != FormatVersion)
        {
            throw new SecretUnsealException($"The {FieldName(field)} of account {account} is not a sealed value.");
        }

        var nonce = sealedValue.Slice(1, NonceSize);
        var ciphertext = sealedValue[(1 + NonceSize)..^TagSize];
        var tag = sealedValue[^TagSize..];
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(_key.Bytes, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, AssociatedData(account, field));
            return Secret.FromBytes(plaintext);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new SecretUnsealException(
                $"The {FieldName(field)} of account {account} failed authentication: it was altered or sealed under another key.",
                ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The stable snake_case name of a field, as stored and as used in messages.</summary>
    public static string FieldName(SecretField field) => field switch
    {
        SecretField.ClientSecret => "client_secret",
        SecretField.RefreshToken => "refresh_token",
        SecretField.AccessToken => "access_token",
        SecretField.MsalCache => "msal_cache",
        SecretField.PkceVerifier => "pkce_verifier",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };

    private static byte[] AssociatedData(AccountName account, SecretField field) =>
        Encoding.UTF8.GetBytes($"tokenbroker/v1\0{account.Value}\0{FieldName(field)}");
}
