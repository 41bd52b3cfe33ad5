namespace TokenBroker.Core.Secrets;

/// <summary>The secret fields of an account; each is sealed with its own associated data.</summary>
public enum SecretField
{
    /// <summary>The OAuth2 client secret of a confidential client.</summary>
    ClientSecret,

    /// <summary>The refresh token.</summary>
    RefreshToken,

    /// <summary>The current access token.</summary>
    AccessToken,

    /// <summary>MSAL's serialized token cache (Microsoft accounts).</summary>
    MsalCache,

    /// <summary>The PKCE verifier of a pending consent, kept in a shared store so another node can finish it.</summary>
    PkceVerifier,
}
