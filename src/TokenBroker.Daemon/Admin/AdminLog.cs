namespace TokenBroker.Daemon.Admin;

/// <summary>Log messages of the admin API (event ids 6000–6099).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(6000, LogLevel.Information, "Account {Account} added ({Provider}, {Username}); it needs consent: tokenbroker consent {Account}")]
    public static partial void Added(ILogger logger, string account, string provider, string username);

    [LoggerMessage(6001, LogLevel.Information, "Account {Account} removed: {Outcome}")]
    public static partial void Removed(ILogger logger, string account, string outcome);

    [LoggerMessage(6002, LogLevel.Warning, "Admin request refused: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(6003, LogLevel.Warning, "Restored {Count} account(s) from a backup; every account and grant was replaced")]
    public static partial void Restored(ILogger logger, int count);
}
