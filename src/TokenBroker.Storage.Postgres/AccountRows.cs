using Npgsql;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;
using TokenBroker.Core.Storage;

namespace TokenBroker.Storage.Postgres;

/// <summary>
/// Maps accounts and grants to rows of <c>tokenbroker_accounts</c>: one column per field, secret
/// fields sealed exactly as the embedded store seals them, times to the millisecond.
/// </summary>
internal sealed class AccountRows(SecretSealer sealer)
{
    /// <summary>Every column, in the order <see cref="Read"/> expects.</summary>
    public const string Columns = """
        name, revision, username, provider_kind, tenant, issuer, authorization_endpoint, token_endpoint,
        device_endpoint, revocation_endpoint, match_keys, scopes, client_id, client_secret, token_file_path,
        token_file_owner, token_file_group, token_file_mode, state, refresh_token, msal_cache, access_token,
        expires_at, issued_at, last_refresh, last_error, refreshed_by
        """;

    /// <summary>The account's settings columns, <c>$2</c> to <c>$18</c> after the name (as <see cref="AddAccount"/> adds them).</summary>
    public const string AccountColumns = """
        username, provider_kind, tenant, issuer, authorization_endpoint, token_endpoint, device_endpoint,
        revocation_endpoint, match_keys, scopes, client_id, client_secret, token_file_path, token_file_owner,
        token_file_group, token_file_mode
        """;

    /// <summary>The grant's columns, in the order <see cref="AddGrant"/> adds them.</summary>
    public const string GrantColumns = """
        state, refresh_token, msal_cache, access_token, expires_at, issued_at, last_refresh, last_error, refreshed_by
        """;

    /// <summary>Adds the account's settings as the next 16 parameters.</summary>
    public void AddAccount(NpgsqlParameterCollection parameters, Account account)
    {
        var provider = account.Provider;
        var file = account.TokenFile;
        Add(parameters, account.Username);
        Add(parameters, provider.Kind.ToString());
        Add(parameters, provider.Tenant);
        Add(parameters, provider.Issuer?.OriginalString);
        Add(parameters, provider.AuthorizationEndpoint?.OriginalString);
        Add(parameters, provider.TokenEndpoint?.OriginalString);
        Add(parameters, provider.DeviceAuthorizationEndpoint?.OriginalString);
        Add(parameters, provider.RevocationEndpoint?.OriginalString);
        Add(parameters, account.MatchKeys.ToArray());
        Add(parameters, account.Scopes.ToArray());
        Add(parameters, account.ClientId);
        Add(parameters, Seal(account.ClientSecret, account.Name, SecretField.ClientSecret));
        Add(parameters, file?.Path);
        Add(parameters, file?.Owner);
        Add(parameters, file?.Group);
        Add(parameters, file is null ? null : (int)file.Mode);
    }

    /// <summary>Adds the grant as the next 9 parameters.</summary>
    public void AddGrant(NpgsqlParameterCollection parameters, AccountName name, Grant grant)
    {
        Add(parameters, grant.State.ToString());
        Add(parameters, Seal(grant.RefreshToken, name, SecretField.RefreshToken));
        Add(parameters, Seal(grant.MsalCache, name, SecretField.MsalCache));
        Add(parameters, Seal(grant.AccessToken, name, SecretField.AccessToken));
        Add(parameters, Millisecond(grant.ExpiresAt));
        Add(parameters, Millisecond(grant.IssuedAt));
        Add(parameters, Millisecond(grant.LastRefresh));
        Add(parameters, grant.LastError);
        Add(parameters, grant.RefreshedBy);
    }

    /// <summary>
    /// Reads the row at the reader's position (selected with <see cref="Columns"/>). Every secret is
    /// authenticated; with <paramref name="secrets"/> false none is returned.
    /// </summary>
    /// <exception cref="AccountUnreadableException">A secret fails authentication, or a field is malformed.</exception>
    public AccountEntry Read(NpgsqlDataReader row, bool secrets = true)
    {
        var name = ReadName(row);
        try
        {
            var account = new Account
            {
                Name = name,
                Username = row.GetString(2),
                Provider = new ProviderProfile
                {
                    Kind = Enum.TryParse<ProviderKind>(row.GetString(3), out var kind) ? kind : throw Malformed(name, "provider_kind"),
                    Tenant = Text(row, 4),
                    Issuer = Address(row, 5),
                    AuthorizationEndpoint = Address(row, 6),
                    TokenEndpoint = Address(row, 7),
                    DeviceAuthorizationEndpoint = Address(row, 8),
                    RevocationEndpoint = Address(row, 9),
                },
                MatchKeys = row.GetFieldValue<string[]>(10),
                Scopes = row.GetFieldValue<string[]>(11),
                ClientId = Text(row, 12),
                ClientSecret = Unseal(row, 13, name, SecretField.ClientSecret, secrets),
                TokenFile = row.IsDBNull(14) ? null : new TokenFileSettings
                {
                    Path = row.GetString(14),
                    Owner = Text(row, 15),
                    Group = Text(row, 16),
                    Mode = (UnixFileMode)row.GetInt32(17),
                },
            };
            var grant = new Grant
            {
                State = Enum.TryParse<GrantState>(row.GetString(18), out var state) ? state : throw Malformed(name, "state"),
                RefreshToken = Unseal(row, 19, name, SecretField.RefreshToken, secrets),
                MsalCache = Unseal(row, 20, name, SecretField.MsalCache, secrets),
                AccessToken = Unseal(row, 21, name, SecretField.AccessToken, secrets),
                ExpiresAt = Time(row, 22),
                IssuedAt = Time(row, 23),
                LastRefresh = Time(row, 24),
                LastError = Text(row, 25),
                RefreshedBy = Text(row, 26),
            };
            return new AccountEntry(account, grant, row.GetInt64(1));
        }
        catch (Exception ex) when (ex is SecretUnsealException or InvalidDataException or UriFormatException)
        {
            throw new AccountUnreadableException(name, ex);
        }
    }

    /// <summary>The account name in the row at the reader's position.</summary>
    public static AccountName ReadName(NpgsqlDataReader row) =>
        AccountName.TryParse(row.GetString(0), out var name)
            ? name
            : throw new InvalidDataException($"a stored account has an invalid name '{row.GetString(0)}'");

    private static void Add(NpgsqlParameterCollection parameters, object? value) => parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });

    private byte[]? Seal(Secret? secret, AccountName name, SecretField field) => secret is null ? null : sealer.Seal(secret, name, field);

    private Secret? Unseal(NpgsqlDataReader row, int column, AccountName name, SecretField field, bool keep)
    {
        if (row.IsDBNull(column))
        {
            return null;
        }

        var secret = sealer.Unseal(row.GetFieldValue<byte[]>(column), name, field);
        return keep ? secret : null;
    }

    private static DateTimeOffset? Millisecond(DateTimeOffset? time) =>
        time is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()) : null;

    private static DateTimeOffset? Time(NpgsqlDataReader row, int column) =>
        row.IsDBNull(column) ? null : row.GetFieldValue<DateTimeOffset>(column);

    private static string? Text(NpgsqlDataReader row, int column) => row.IsDBNull(column) ? null : row.GetString(column);

    private static Uri? Address(NpgsqlDataReader row, int column) => row.IsDBNull(column) ? null : new Uri(row.GetString(column), UriKind.Absolute);

    private static InvalidDataException Malformed(AccountName name, string field) => new($"the stored {field} of account {name} is malformed");
}
