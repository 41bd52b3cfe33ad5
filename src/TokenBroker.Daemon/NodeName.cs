namespace TokenBroker.Daemon;

/// <summary>This daemon's name among the nodes that share a store (<c>TokenBroker:NodeName</c>, default the host name).</summary>
internal sealed record NodeName(string Value);
