namespace TokenBroker.Core.State;

/// <summary>
/// Where the broker keeps its state: the store, its lock and (by default) the master key, all in one
/// directory that only the broker's user may enter.
/// </summary>
/// <param name="Directory">The absolute state directory.</param>
public sealed record StateLayout(string Directory)
{
    /// <summary>The state directory when nothing else is configured: <c>./var</c> under the working directory.</summary>
    public const string SourceTreeDirectory = "var";

    /// <summary>The embedded store file.</summary>
    public string StoreFile => Path.Combine(Directory, "tokenbroker.db");

    /// <summary>The lock file that keeps a second daemon off this state directory.</summary>
    public string LockFile => Path.Combine(Directory, "tokenbroker.lock");

    /// <summary>The master key file used when neither a systemd credential nor a key file is configured.</summary>
    public string DefaultKeyFile => Path.Combine(Directory, "tokenbroker.key");

    /// <summary>
    /// The configured directory if any, else systemd's <c>$STATE_DIRECTORY</c> (first entry), else
    /// <c>./var</c>; relative paths are taken from the working directory.
    /// </summary>
    public static StateLayout Resolve(string? configured, string? stateDirectoryVariable)
    {
        var chosen = !string.IsNullOrWhiteSpace(configured) ? configured
            : !string.IsNullOrWhiteSpace(stateDirectoryVariable) ? stateDirectoryVariable.Split(':')[0]
            : SourceTreeDirectory;
        return new StateLayout(Path.GetFullPath(chosen));
    }
}
