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

    [LoggerMessage(6004, LogLevel.Warning, "Master key replaced: key id {OldKeyId} is gone, {NewKeyId} in {KeyFile} seals {Count} account(s); backups sealed with the old key cannot be restored any more")]
    public static partial void Rekeyed(ILogger logger, string oldKeyId, string newKeyId, string keyFile, int count);

    [LoggerMessage(6005, LogLevel.Error, "Master key change refused: {Problem}")]
    public static partial void RekeyRefused(ILogger logger, string problem);
}
