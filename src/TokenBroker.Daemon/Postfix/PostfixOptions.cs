using TokenBroker.Core;
using TokenBroker.Postfix;

namespace TokenBroker.Daemon.Postfix;

/// <summary>The <c>TokenBroker:Postfix</c> section: the socketmap lookup service Postfix asks for tokens.</summary>
internal sealed class PostfixOptions
{
    public const string Section = "TokenBroker:Postfix";

    /// <summary>Whether the lookup service runs (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The unix socket; default <c>$RUNTIME_DIRECTORY/postfix.sock</c>, else <c>postfix.sock</c> in the state directory.</summary>
    public string? Socket { get; set; }

    /// <summary>The group that owns the socket (a name or a number), e.g. <c>postfix</c>; default the daemon's group.</summary>
    public string? SocketGroup { get; set; }

    /// <summary>The socket's mode, in octal (default 0660: the daemon's user and the socket's group).</summary>
    public string SocketMode { get; set; } = "0660";

    /// <summary>A TCP port on 127.0.0.1 that also serves the lookups, for a Postfix that cannot reach the socket; default none.</summary>
    public int? Port { get; set; }

    /// <summary>The map name of <c>smtp_sasl_password_maps</c> lookups (default <c>sasl</c>).</summary>
    public string MapName { get; set; } = "sasl";

    /// <summary>The map name of <c>sender_dependent_relayhost_maps</c> lookups (default <c>relay</c>).</summary>
    public string RelayMapName { get; set; } = "relay";

    /// <summary>Connections served at once (default 1000).</summary>
    public int MaxConnections { get; set; } = new SocketmapLimits().MaxConnections;

    /// <summary>Connections one user (or the TCP port's peers together) may hold at once (default 500).</summary>
    public int MaxConnectionsPerUser { get; set; } = new SocketmapLimits().MaxConnectionsPerUser;

    /// <summary>How long a connection may sit idle between requests (default 2 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = new SocketmapLimits().IdleTimeout;

    /// <summary>How long one request may take to arrive (default 10 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = new SocketmapLimits().RequestTimeout;

    /// <summary>The socket path this configuration resolves to.</summary>
    public string ResolveSocket(string stateDirectory) =>
        Path.GetFullPath(Socket
            ?? RuntimeDirectory.Combine("postfix.sock")
            ?? Path.Combine(stateDirectory, "postfix.sock"));

    /// <summary>The socket's mode.</summary>
    public UnixFileMode Mode() => (UnixFileMode)Convert.ToInt32(SocketMode, 8);

    /// <summary>The limits these settings give.</summary>
    /// <exception cref="SetupException">A value is out of range.</exception>
    public SocketmapLimits Limits()
    {
        Require(SocketMode.Length is >= 3 and <= 4 && SocketMode.All(c => c is >= '0' and <= '7') && (Convert.ToInt32(SocketMode, 8) & ~0b111_111_111) == 0,
            "SocketMode", $"must be an octal mode such as 0660, not '{SocketMode}'");
        Require(Port is null or (> 0 and <= 65535), "Port", $"must be 1-65535, not {Port}");
        Require(IsMapName(MapName), "MapName", $"must be printable ASCII without spaces, not '{MapName}'");
        Require(IsMapName(RelayMapName) && RelayMapName != MapName, "RelayMapName", $"must be printable ASCII without spaces and differ from MapName, not '{RelayMapName}'");
        Require(MaxConnections is >= 1 and <= 100_000, "MaxConnections", $"must be 1-100000, not {MaxConnections}");
        Require(MaxConnectionsPerUser is >= 1 and <= 100_000, "MaxConnectionsPerUser", $"must be 1-100000, not {MaxConnectionsPerUser}");
        Require(IdleTimeout >= TimeSpan.FromSeconds(1), "IdleTimeout", $"must be at least 00:00:01, not {IdleTimeout}");
        Require(RequestTimeout >= TimeSpan.FromSeconds(1), "RequestTimeout", $"must be at least 00:00:01, not {RequestTimeout}");
        return new SocketmapLimits { MaxConnections = MaxConnections, MaxConnectionsPerUser = MaxConnectionsPerUser, IdleTimeout = IdleTimeout, RequestTimeout = RequestTimeout };
    }

    private static bool IsMapName(string name) => name.Length > 0 && name.All(c => c is > ' ' and <= '~');

    private static void Require(bool valid, string key, string problem)
    {
        if (!valid)
        {
            throw new SetupException($"{Section}:{key} {problem}");
        }
    }
}
