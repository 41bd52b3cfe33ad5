namespace TokenBroker.Core.Accounts;

/// <summary>
/// How to reach an account's provider. Presets fill the endpoints for Google and Microsoft; a
/// generic provider gives an issuer (discovery) or explicit endpoints.
/// </summary>
public sealed record ProviderProfile
{
    /// <summary>The provider kind.</summary>
    public required ProviderKind Kind { get; init; }

    /// <summary>Microsoft tenant: <c>common</c>, <c>organizations</c>, <c>consumers</c> or a tenant id.</summary>
    public string? Tenant { get; init; }

    /// <summary>Issuer for OpenID Connect discovery.</summary>
    public Uri? Issuer { get; init; }

    /// <summary>Authorization endpoint, when not discovered.</summary>
    public Uri? AuthorizationEndpoint { get; init; }

    /// <summary>Token endpoint, when not discovered.</summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>Device authorization endpoint, when the provider offers the device flow.</summary>
    public Uri? DeviceAuthorizationEndpoint { get; init; }

    /// <summary>Revocation endpoint, when the provider offers one.</summary>
    public Uri? RevocationEndpoint { get; init; }
}
