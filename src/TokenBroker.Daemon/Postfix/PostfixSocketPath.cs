namespace TokenBroker.Daemon.Postfix;

/// <summary>Where the Postfix lookup socket was bound (registered only when the service runs).</summary>
internal sealed record PostfixSocketPath(string Path);
