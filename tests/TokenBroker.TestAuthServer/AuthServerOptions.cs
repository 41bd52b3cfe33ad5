namespace TokenBroker.TestAuthServer;

/// <summary>How a test wants the authorization server to behave.</summary>
public sealed record AuthServerOptions
{
    /// <summary>Access-token lifetime.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>True (Microsoft-like): every refresh returns a new refresh token and the old one dies. False (Google-like): one refresh token for good.</summary>
    public bool RotateRefreshTokens { get; init; } = true;

    /// <summary>
    /// How long a rotated-out refresh token still works. Zero (strict): reusing one revokes the grant.
    /// Google and Microsoft keep the previous refresh token valid, which a crash between receiving and
    /// storing a rotated token relies on.
    /// </summary>
    public TimeSpan RefreshTokenReuseLeeway { get; init; } = TimeSpan.Zero;

    /// <summary>True: the authorization endpoint approves at once. False: it shows a login page with an Approve button.</summary>
    public bool AutoApprove { get; init; } = true;

    /// <summary>Serve HTTPS with a certificate from a per-run test CA (MSAL refuses http authorities).</summary>
    public bool Https { get; init; }

    /// <summary>Port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }
}
