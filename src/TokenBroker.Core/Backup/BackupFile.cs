using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Core.Backup;

/// <summary>
/// A backup of every account and grant, sealed as one AES-256-GCM message under the master key:
/// a header naming the format and the key id (authenticated, not secret), then nonce, ciphertext
/// and tag. Opening it needs the key it was sealed with; nothing in it is readable without.
/// </summary>
public static class BackupFile
{
    private const string Magic = "TOKENBROKER-BACKUP 1 key ";
    private const int KeyIdLength = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly int HeaderLength = Encoding.ASCII.GetByteCount(Magic) + KeyIdLength + 1;

    /// <summary>Seals <paramref name="entries"/> (with their secrets) under <paramref name="key"/>.</summary>
    public static byte[] Seal(IEnumerable<AccountEntry> entries, MasterKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes([.. entries.Select(BackupRecord.From)], BackupJson.Default.ListBackupRecord);
        try
        {
            var header = Encoding.ASCII.GetBytes($"{Magic}{key.KeyId}\n");
            var output = new byte[header.Length + NonceSize + plaintext.Length + TagSize];
            header.CopyTo(output, 0);
            var nonce = output.AsSpan(header.Length, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Encrypt(nonce, plaintext, output.AsSpan(header.Length + NonceSize, plaintext.Length), output.AsSpan(output.Length - TagSize), header);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The key id a backup names, or null when <paramref name="file"/> is not a backup.</summary>
    public static string? KeyId(ReadOnlySpan<byte> file) =>
        file.Length >= HeaderLength + NonceSize + TagSize && file[..(HeaderLength - KeyIdLength - 1)].SequenceEqual(Encoding.ASCII.GetBytes(Magic)) && file[HeaderLength - 1] == (byte)'\n'
            ? Encoding.ASCII.GetString(file.Slice(HeaderLength - KeyIdLength - 1, KeyIdLength))
            : null;

    /// <summary>The accounts and grants in a backup sealed under <paramref name="key"/>.</summary>
    /// <exception cref="InvalidDataException">Not a backup, sealed under another key, damaged, or holding an account that cannot work.</exception>
    public static IReadOnlyList<(Account Account, Grant Grant)> Open(ReadOnlySpan<byte> file, MasterKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyId = KeyId(file) ?? throw new InvalidDataException("this is not a TokenBroker backup");
        if (keyId != key.KeyId)
        {
            throw new InvalidDataException($"the backup was sealed with master key id {keyId}, not {key.KeyId} ({key.Source})");
        }

        var sealedText = file[(HeaderLength + NonceSize)..^TagSize];
        var plaintext = new byte[sealedText.Length];
        try
        {
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(file.Slice(HeaderLength, NonceSize), sealedText, file[^TagSize..], plaintext, file[..HeaderLength]);
            var records = JsonSerializer.Deserialize(plaintext, BackupJson.Default.ListBackupRecord) ?? [];
            return [.. records.Select(r => r.ToEntry())];
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new InvalidDataException("the backup fails authentication: it is damaged or was altered", ex);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"the backup holds something this version cannot read back: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>One account in a backup: its settings as stored (client secret included, not checked again) and its grant.</summary>
internal sealed record BackupRecord(BackupAccount Account, BackupGrant Grant)
{
    public static BackupRecord From(AccountEntry entry) => new(BackupAccount.From(entry.Account), BackupGrant.From(entry.Grant));

    public (Account Account, Grant Grant) ToEntry() => (Account.ToAccount(), Grant.ToGrant());
}

/// <summary>An account's fields, one for one: a restore gives back exactly what was stored.</summary>
internal sealed record BackupAccount(
    string Name,
    ProviderKind Provider,
    string? Tenant,
    Uri? Issuer,
    Uri? AuthorizationEndpoint,
    Uri? TokenEndpoint,
    Uri? DeviceAuthorizationEndpoint,
    Uri? RevocationEndpoint,
    string Username,
    IReadOnlyList<string> MatchKeys,
    IReadOnlyList<string> Scopes,
    string? ClientId,
    string? ClientSecret,
    TokenFileSpec? TokenFile)
{
    public static BackupAccount From(Account account)
    {
        var (provider, file) = (account.Provider, account.TokenFile);
        return new BackupAccount(
            account.Name.Value, provider.Kind, provider.Tenant, provider.Issuer, provider.AuthorizationEndpoint, provider.TokenEndpoint,
            provider.DeviceAuthorizationEndpoint, provider.RevocationEndpoint, account.Username, account.MatchKeys, account.Scopes, account.ClientId,
            account.ClientSecret?.Reveal(), file is null ? null : new TokenFileSpec(file.Path, file.Owner, file.Group, Convert.ToString((int)file.Mode, 8)));
    }

    /// <summary>The name and provider; never the client secret.</summary>
    public override string ToString() => $"BackupAccount {{ Name = {Name}, Provider = {Provider} }}";

    public Account ToAccount() => new()
    {
        Name = AccountName.Parse(Name),
        Provider = new ProviderProfile
        {
            Kind = Provider,
            Tenant = Tenant,
            Issuer = Issuer,
            AuthorizationEndpoint = AuthorizationEndpoint,
            TokenEndpoint = TokenEndpoint,
            DeviceAuthorizationEndpoint = DeviceAuthorizationEndpoint,
            RevocationEndpoint = RevocationEndpoint,
        },
        Username = Username,
        MatchKeys = MatchKeys,
        Scopes = Scopes,
        ClientId = ClientId,
        ClientSecret = ClientSecret is null ? null : Secret.FromText(ClientSecret),
        TokenFile = TokenFile is null ? null : new TokenFileSettings
        {
            Path = TokenFile.Path,
            Owner = TokenFile.Owner,
            Group = TokenFile.Group,
            Mode = (UnixFileMode)Convert.ToInt32(TokenFile.Mode, 8),
        },
    };
}

/// <summary>A grant in a backup; the MSAL cache as base64, as it may hold any bytes.</summary>
internal sealed record BackupGrant(
    GrantState State, string? RefreshToken, string? MsalCache, string? AccessToken, DateTimeOffset? ExpiresAt, DateTimeOffset? IssuedAt, DateTimeOffset? LastRefresh, string? LastError)
{
    public static BackupGrant From(Grant grant) => new(
        grant.State,
        grant.RefreshToken?.Reveal(),
        grant.MsalCache is { } cache ? Convert.ToBase64String(cache.RevealBytes()) : null,
        grant.AccessToken?.Reveal(),
        grant.ExpiresAt,
        grant.IssuedAt,
        grant.LastRefresh,
        grant.LastError);

    /// <summary>The state and times; never a token.</summary>
    public override string ToString() => $"BackupGrant {{ State = {State}, ExpiresAt = {ExpiresAt:u} }}";

    public Grant ToGrant() => new()
    {
        State = State,
        RefreshToken = RefreshToken is null ? null : Secret.FromText(RefreshToken),
        MsalCache = MsalCache is null ? null : Secret.FromBytes(Convert.FromBase64String(MsalCache)),
        AccessToken = AccessToken is null ? null : Secret.FromText(AccessToken),
        ExpiresAt = ExpiresAt,
        IssuedAt = IssuedAt,
        LastRefresh = LastRefresh,
        LastError = LastError,
    };
}

/// <summary>Source-generated JSON for backups.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<BackupRecord>))]
internal sealed partial class BackupJson : JsonSerializerContext;
