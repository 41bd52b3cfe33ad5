using TokenBroker.Core.Secrets;

namespace TokenBroker.Core.OAuth;

/// <summary>What a successful token request returned.</summary>
public sealed record IssuedTokens
{
    /// <summary>The access token.</summary>
    public required Secret AccessToken { get; init; }

    /// <summary>When the access token was received.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>When the access token expires.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>A new refresh token, when the provider issued or rotated one; null keeps the current one.</summary>
    public Secret? RefreshToken { get; init; }

    /// <summary>MSAL's serialized cache after the request (Microsoft accounts).</summary>
    public Secret? MsalCache { get; init; }
}
