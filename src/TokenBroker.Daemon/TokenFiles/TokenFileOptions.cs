namespace TokenBroker.Daemon.TokenFiles;

/// <summary>The <c>TokenBroker:TokenFiles</c> section: where accounts' token files may be written.</summary>
internal sealed class TokenFileOptions
{
    public const string Section = "TokenBroker:TokenFiles";

    /// <summary>
    /// Directories token files may be written in (or below); default <c>tokens</c> in the state
    /// directory and, under systemd, <c>$RUNTIME_DIRECTORY/tokens</c>. A token file elsewhere is refused.
    /// </summary>
    public IList<string> AllowedDirectories { get; } = [];

    /// <summary>The allowed directories as full paths.</summary>
    public IReadOnlyList<string> Resolve(string stateDirectory)
    {
        if (AllowedDirectories.Count > 0)
        {
            return [.. AllowedDirectories.Select(Path.GetFullPath)];
        }

        var runtime = RuntimeDirectory.Combine("tokens");
        return [Path.Combine(Path.GetFullPath(stateDirectory), "tokens"), .. runtime is null ? Array.Empty<string>() : [runtime]];
    }
}
