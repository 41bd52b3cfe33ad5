namespace TokenBroker.Daemon.Admin;

/// <summary>Where the admin socket was bound, for the startup report.</summary>
internal sealed record AdminSocketPath(string Path);
