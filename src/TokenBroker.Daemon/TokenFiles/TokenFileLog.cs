namespace TokenBroker.Daemon.TokenFiles;

/// <summary>Log messages of the token files (event ids 5000–5099).</summary>
internal static partial class TokenFileLog
{
    [LoggerMessage(5000, LogLevel.Information, "Account {Account}: token written to {Path}")]
    public static partial void Written(ILogger logger, string account, string path);

    [LoggerMessage(5001, LogLevel.Error, "Account {Account}: token file not written: {Problem}")]
    public static partial void Refused(ILogger logger, string account, string problem);
}
