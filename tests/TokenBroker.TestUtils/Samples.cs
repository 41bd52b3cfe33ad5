using TokenBroker.Core.Accounts;
using TokenBroker.Core.Grants;
using TokenBroker.Core.Secrets;

namespace TokenBroker.TestUtils;

/// <summary>Accounts and grants with every field set, and distinctive secrets to search for.</summary>
public static class Samples
{
    public const string ClientSecretText = "client-secret-5b1f0e7c-sample";
    public const string RefreshTokenText = "refresh-token-9d2a44e1-sample";
    public const string AccessTokenText = "access-token-3c7e92aa-sample";
    public const string MsalCacheText = "{\"RefreshToken\":{\"msal-cache-6f10c2d8-sample\":{}}}";

    public static Account Account(string name = "work") => new()
    {
        Name = AccountName.Parse(name),
        Provider = new ProviderProfile
        {
            Kind = ProviderKind.Generic,
            Tenant = "organizations",
            Issuer = new Uri("https://idp.example.test/"),
            AuthorizationEndpoint = new Uri("https://idp.example.test/authorize"),
            TokenEndpoint = new Uri("https://idp.example.test/token"),
            DeviceAuthorizationEndpoint = new Uri("https://idp.example.test/device"),
            RevocationEndpoint = new Uri("https://idp.example.test/revoke"),
        },
        Username = $"{name}@example.com",
        MatchKeys = [$"{name}@example.com", "smtp.example.com", "[smtp.example.com]:587"],
        Scopes = ["https://mail.example.com/", "offline_access"],
        ClientId = "client-" + name,
        ClientSecret = Secret.FromText(ClientSecretText),
        TokenFile = new TokenFileSettings
        {
            Path = $"/run/tokenbroker/{name}.token",
            Owner = "fetchmail",
            Group = "mail",
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
        },
    };

    /// <summary>An active grant; times are whole milliseconds, the precision every store keeps.</summary>
    public static Grant ActiveGrant(DateTimeOffset now) => new()
    {
        State = GrantState.Active,
        RefreshToken = Secret.FromText(RefreshTokenText),
        MsalCache = Secret.FromText(MsalCacheText),
        AccessToken = Secret.FromText(AccessTokenText),
        IssuedAt = now,
        ExpiresAt = now.AddHours(1),
        LastRefresh = now,
        LastError = "temporarily_unavailable: try later",
        RefreshedBy = "relay1.example.com",
    };

    public static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, 123, TimeSpan.Zero);
}
