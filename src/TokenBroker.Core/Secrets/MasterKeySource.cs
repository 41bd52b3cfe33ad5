using TokenBroker.Core.State;

namespace TokenBroker.Core.Secrets;

/// <summary>Where the master key is read from, and whether it may be created there.</summary>
/// <param name="Path">The key file.</param>
/// <param name="CreateIfMissing">True only for the default key file in the state directory.</param>
/// <param name="IsCredential">True for a systemd credential, which the daemon can read but never replace.</param>
public sealed record MasterKeySource(string Path, bool CreateIfMissing, bool IsCredential = false)
{
    /// <summary>The name of the systemd credential that holds the key.</summary>
    public const string CredentialName = "tokenbroker.key";

    /// <summary>
    /// Picks the key source: the systemd credential (<c>$CREDENTIALS_DIRECTORY/tokenbroker.key</c>)
    /// when present, else the configured key file, else the default file in the state directory,
    /// which is created on first start.
    /// </summary>
    public static MasterKeySource Resolve(string? configuredFile, string? credentialsDirectory, StateLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!string.IsNullOrWhiteSpace(credentialsDirectory))
        {
            var credential = System.IO.Path.Combine(credentialsDirectory, CredentialName);
            if (File.Exists(credential))
            {
                return new MasterKeySource(credential, CreateIfMissing: false, IsCredential: true);
            }
        }

        return string.IsNullOrWhiteSpace(configuredFile)
            ? new MasterKeySource(layout.DefaultKeyFile, CreateIfMissing: true)
            : new MasterKeySource(System.IO.Path.GetFullPath(configuredFile), CreateIfMissing: false);
    }

    /// <summary>Loads the key, creating it first when allowed and missing.</summary>
    /// <param name="created">True when a new key was written.</param>
    public MasterKey LoadOrCreate(out bool created)
    {
        created = CreateIfMissing && !File.Exists(Path);
        return created ? MasterKeyFile.Create(Path) : MasterKeyFile.Load(Path);
    }
}
