namespace TokenBroker.Daemon.Refresh;

/// <summary>Scheduler log messages; they name accounts, times and provider errors, never tokens.</summary>
internal static partial class RefreshLog
{
    [LoggerMessage(3000, LogLevel.Information, "Refreshes planned for {Accounts} accounts: {Due} due now, {NeedConsent} waiting for consent")]
    public static partial void Started(ILogger logger, int accounts, int due, int needConsent);

    [LoggerMessage(3001, LogLevel.Information, "Account {Account} refreshed; access token valid until {ExpiresAt:u}, next refresh {NextRefresh:u}")]
    public static partial void Refreshed(ILogger logger, string account, DateTimeOffset expiresAt, DateTimeOffset nextRefresh);

    [LoggerMessage(3002, LogLevel.Warning, "Account {Account} refresh failed ({Failures} in a row): {Failure}; retrying at {RetryAt:u}, current token valid until {ExpiresAt:u}")]
    public static partial void Retrying(ILogger logger, string account, int failures, string failure, DateTimeOffset retryAt, DateTimeOffset? expiresAt);

    [LoggerMessage(3003, LogLevel.Error, "Account {Account} needs consent: the provider said {Failure}. Fix: tokenbroker consent {Account}")]
    public static partial void NeedsConsent(ILogger logger, string account, string failure);

    [LoggerMessage(3004, LogLevel.Error, "Account {Account} could not be refreshed: {Problem}; retrying at {RetryAt:u}")]
    public static partial void RefreshError(ILogger logger, string account, string problem, DateTimeOffset retryAt);

    [LoggerMessage(3005, LogLevel.Information, "Account {Account} scheduled: next refresh {NextRefresh:u}")]
    public static partial void Scheduled(ILogger logger, string account, DateTimeOffset nextRefresh);

    [LoggerMessage(3006, LogLevel.Warning, "Notify command for account {Account} failed: {Problem}")]
    public static partial void NotifyFailed(ILogger logger, string account, string problem);

    [LoggerMessage(3007, LogLevel.Warning, "Notify command for account {Account} was killed after {Limit}")]
    public static partial void NotifyTimedOut(ILogger logger, string account, TimeSpan limit);

    [LoggerMessage(3008, LogLevel.Debug, "Account {Account} was refreshed by {Node} at {RefreshedAt:u} meanwhile: taken as it is")]
    public static partial void Joined(ILogger logger, string account, string node, DateTimeOffset refreshedAt);

    [LoggerMessage(3009, LogLevel.Warning, "Account {Account}: its next refresh could not be planned ({Problem}); planned again once the store is back, and a lookup refreshes it meanwhile")]
    public static partial void PlanFailed(ILogger logger, string account, string problem);
}
