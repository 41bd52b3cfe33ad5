namespace TokenBroker.Daemon;

/// <summary>systemd's <c>$RUNTIME_DIRECTORY</c> (the first, if the unit names several), where sockets live by default.</summary>
internal static class RuntimeDirectory
{
    /// <summary><paramref name="name"/> in the runtime directory, or null when the daemon does not run under one.</summary>
    public static string? Combine(string name) =>
        Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } runtime ? Path.Combine(runtime.Split(':')[0], name) : null;
}
