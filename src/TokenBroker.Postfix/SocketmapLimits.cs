namespace TokenBroker.Postfix;

/// <summary>Hard limits of the socketmap service: what one client may hold and how long.</summary>
public sealed record SocketmapLimits
{
    /// <summary>The largest request payload (<c>NAME KEY</c>) accepted, in bytes.</summary>
    public const int MaxRequestBytes = 10_000;

    /// <summary>Connections served at once; more are closed at once.</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>
    /// Connections one user may hold at once (told apart by the kernel's <c>SO_PEERCRED</c>), so another
    /// local user flooding the service cannot take Postfix's share. Peers on the TCP port, which the
    /// kernel does not name that way, share one such budget between them.
    /// </summary>
    public int MaxConnectionsPerUser { get; init; } = 500;

    /// <summary>
    /// How long a connection may wait between requests. Postfix closes an idle connection after
    /// about 10 s and any connection after 100 s, so the default never cuts one it still uses.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a started request may take to arrive in full (a client sending one byte a second is cut off).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
