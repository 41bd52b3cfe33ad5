using LiteDB;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Storage;

/// <summary>
/// Maps accounts and grants to LiteDB documents with the BsonDocument API (the typed mapper does not
/// survive trimming). Secret fields are stored sealed; times as Unix milliseconds.
/// </summary>
internal sealed class AccountDocuments(SecretSealer sealer)
{
    public BsonDocument Write(Account account, BsonDocument grant, long revision) => new()
    {
        ["_id"] = account.Name.Value,
        ["revision"] = revision,
        ["username"] = account.Username,
        ["provider"] = WriteProvider(account.Provider),
        ["match"] = new BsonArray(account.MatchKeys.Select(k => new BsonValue(k))),
        ["scopes"] = new BsonArray(account.Scopes.Select(s => new BsonValue(s))),
        ["client_id"] = account.ClientId,
        ["client_secret"] = Seal(account.ClientSecret, account.Name, SecretField.ClientSecret),
        ["token_file"] = WriteTokenFile(account.TokenFile),
        ["grant"] = grant,
    };

    public BsonDocument WriteGrant(AccountName name, Grant grant) => new()
    {
        ["state"] = grant.State.ToString(),
        ["refresh_token"] = Seal(grant.RefreshToken, name, SecretField.RefreshToken),
        ["msal_cache"] = Seal(grant.MsalCache, name, SecretField.MsalCache),
        ["access_token"] = Seal(grant.AccessToken, name, SecretField.AccessToken),
        ["expires_at"] = WriteTime(grant.ExpiresAt),
        ["issued_at"] = WriteTime(grant.IssuedAt),
        ["last_refresh"] = WriteTime(grant.LastRefresh),
        ["last_error"] = grant.LastError,
        ["refreshed_by"] = grant.RefreshedBy,
    };

    /// <summary>
    /// Reads an account. Every secret is authenticated; with <paramref name="secrets"/> false none is
    /// returned (a listing keeps thousands of entries at once and needs only names, states and times).
    /// </summary>
    /// <exception cref="SecretUnsealException">A secret fails authentication.</exception>
    /// <exception cref="InvalidDataException">The document is malformed.</exception>
    public AccountEntry Read(BsonDocument document, bool secrets = true)
    {
        var name = ReadName(document);
        var provider = document["provider"].AsDocument ?? throw Malformed(name, "provider");
        var account = new Account
        {
            Name = name,
            Username = document["username"].AsString ?? throw Malformed(name, "username"),
            Provider = ReadProvider(provider, name),
            MatchKeys = ReadStrings(document["match"]),
            Scopes = ReadStrings(document["scopes"]),
            ClientId = document["client_id"].AsString,
            ClientSecret = Keep(Unseal(document["client_secret"], name, SecretField.ClientSecret), secrets),
            TokenFile = ReadTokenFile(document["token_file"]),
        };
        var grant = document["grant"].AsDocument ?? throw Malformed(name, "grant");
        return new AccountEntry(account, ReadGrant(grant, name, secrets), document["revision"].AsInt64);
    }

    public static AccountName ReadName(BsonDocument document) =>
        AccountName.TryParse(document["_id"].AsString, out var name)
            ? name
            : throw new InvalidDataException($"a stored account has an invalid name '{document["_id"]}'");

    private static Secret? Keep(Secret? secret, bool secrets) => secrets ? secret : null;

    private Grant ReadGrant(BsonDocument grant, AccountName name, bool secrets) => new()
    {
        State = Enum.TryParse<GrantState>(grant["state"].AsString, out var state) ? state : throw Malformed(name, "grant.state"),
        RefreshToken = Keep(Unseal(grant["refresh_token"], name, SecretField.RefreshToken), secrets),
        MsalCache = Keep(Unseal(grant["msal_cache"], name, SecretField.MsalCache), secrets),
        AccessToken = Keep(Unseal(grant["access_token"], name, SecretField.AccessToken), secrets),
        ExpiresAt = ReadTime(grant["expires_at"]),
        IssuedAt = ReadTime(grant["issued_at"]),
        LastRefresh = ReadTime(grant["last_refresh"]),
        LastError = grant["last_error"].AsString,
        RefreshedBy = grant["refreshed_by"].AsString,
    };

    private static BsonDocument WriteProvider(ProviderProfile provider) => new()
    {
        ["kind"] = provider.Kind.ToString(),
        ["tenant"] = provider.Tenant,
        ["issuer"] = provider.Issuer?.OriginalString,
        ["authorize"] = provider.AuthorizationEndpoint?.OriginalString,
        ["token"] = provider.TokenEndpoint?.OriginalString,
        ["device"] = provider.DeviceAuthorizationEndpoint?.OriginalString,
        ["revoke"] = provider.RevocationEndpoint?.OriginalString,
    };

    private static ProviderProfile ReadProvider(BsonDocument provider, AccountName name) => new()
    {
        Kind = Enum.TryParse<ProviderKind>(provider["kind"].AsString, out var kind) ? kind : throw Malformed(name, "provider.kind"),
        Tenant = provider["tenant"].AsString,
        Issuer = ReadUri(provider["issuer"]),
        AuthorizationEndpoint = ReadUri(provider["authorize"]),
        TokenEndpoint = ReadUri(provider["token"]),
        DeviceAuthorizationEndpoint = ReadUri(provider["device"]),
        RevocationEndpoint = ReadUri(provider["revoke"]),
    };

    private static BsonValue WriteTokenFile(TokenFileSettings? file) => file is null
        ? BsonValue.Null
        : new BsonDocument
        {
            ["path"] = file.Path,
            ["owner"] = file.Owner,
            ["group"] = file.Group,
            ["mode"] = (int)file.Mode,
        };

    private static TokenFileSettings? ReadTokenFile(BsonValue value) => value.IsDocument
        ? new TokenFileSettings
        {
            Path = value["path"].AsString,
            Owner = value["owner"].AsString,
            Group = value["group"].AsString,
            Mode = (UnixFileMode)value["mode"].AsInt32,
        }
        : null;

    private BsonValue Seal(Secret? secret, AccountName name, SecretField field) =>
        secret is null ? BsonValue.Null : new BsonValue(sealer.Seal(secret, name, field));

    private Secret? Unseal(BsonValue value, AccountName name, SecretField field) =>
        value.IsNull ? null
        : value.IsBinary ? sealer.Unseal(value.AsBinary, name, field)
        : throw Malformed(name, SecretSealer.FieldName(field));

    private static BsonValue WriteTime(DateTimeOffset? time) =>
        time is { } t ? new BsonValue(t.ToUnixTimeMilliseconds()) : BsonValue.Null;

    private static DateTimeOffset? ReadTime(BsonValue value) =>
        value.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(value.AsInt64);

    private static Uri? ReadUri(BsonValue value) => value.IsNull ? null : new Uri(value.AsString, UriKind.Absolute);

    private static string[] ReadStrings(BsonValue value) =>
        value.IsArray ? [.. value.AsArray.Select(v => v.AsString)] : [];

    private static InvalidDataException Malformed(AccountName name, string field) =>
        new($"the stored {field} of account {name} is malformed");
}
