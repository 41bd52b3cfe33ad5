namespace TokenBroker.Daemon;

/// <summary>The <c>TokenBroker</c> section of the configuration.</summary>
internal sealed class BrokerOptions
{
    public const string Section = "TokenBroker";

    /// <summary>State directory; default <c>$STATE_DIRECTORY</c>, else <c>./var</c>.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Master key file; default the systemd credential <c>tokenbroker.key</c>, else a key created in the state directory.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>This daemon's name among the nodes that share a store, as <c>status</c> shows it; default the host name.</summary>
    public string? NodeName { get; set; }

    /// <summary>The node name this configuration resolves to.</summary>
    public string ResolveNodeName() => string.IsNullOrWhiteSpace(NodeName) ? Environment.MachineName : NodeName.Trim();

    /// <summary>The admin socket the CLI talks to; default <c>$RUNTIME_DIRECTORY/admin.sock</c>, else <c>admin.sock</c> in the state directory.</summary>
    public string? AdminSocket { get; set; }

    /// <summary>The admin socket path this configuration resolves to.</summary>
    public string ResolveAdminSocket(string stateDirectory) =>
        Path.GetFullPath(AdminSocket
            ?? RuntimeDirectory.Combine("admin.sock")
            ?? Path.Combine(stateDirectory, "admin.sock"));
}
