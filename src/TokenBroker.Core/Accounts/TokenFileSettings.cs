namespace TokenBroker.Core.Accounts;

/// <summary>Where and how an account's current access token is written for file readers (fetchmail).</summary>
public sealed record TokenFileSettings
{
    /// <summary>The token file's absolute path.</summary>
    public required string Path { get; init; }

    /// <summary>Owner user name, or null to keep the daemon's user.</summary>
    public string? Owner { get; init; }

    /// <summary>Group name, or null to keep the daemon's group.</summary>
    public string? Group { get; init; }

    /// <summary>File mode; 0600 by default.</summary>
    public UnixFileMode Mode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;
}
