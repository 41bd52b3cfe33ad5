namespace TokenBroker.Daemon.Consent;

/// <summary>Consent log messages; they name accounts and errors, never codes, states or tokens.</summary>
internal static partial class ConsentLog
{
    [LoggerMessage(2000, LogLevel.Information, "Consent for account {Account} started; waiting for the browser at {RedirectUri}")]
    public static partial void Started(ILogger logger, string account, Uri redirectUri);

    [LoggerMessage(2001, LogLevel.Information, "Consent for account {Account} stored; access token valid until {ExpiresAt:u}")]
    public static partial void Stored(ILogger logger, string account, DateTimeOffset expiresAt);

    [LoggerMessage(2002, LogLevel.Warning, "Consent for account {Account} failed: {Failure}")]
    public static partial void Failed(ILogger logger, string account, string failure);

    [LoggerMessage(2003, LogLevel.Warning, "Consent callback refused: unknown, used or expired state")]
    public static partial void UnknownState(ILogger logger);

    [LoggerMessage(2004, LogLevel.Warning, "Consent callback for account {Account} refused: the consent expired")]
    public static partial void Expired(ILogger logger, string account);

    [LoggerMessage(2006, LogLevel.Information, "Device consent for account {Account} started; waiting for approval at {VerificationUri}")]
    public static partial void DeviceStarted(ILogger logger, string account, Uri verificationUri);

    [LoggerMessage(2005, LogLevel.Warning, "Request refused: Host header '{Host}' is not a loopback name")]
    public static partial void ForeignHost(ILogger logger, string host);

    [LoggerMessage(2007, LogLevel.Information, "Consent for account {Account} was started on {Node}; the browser came back here, which finishes it")]
    public static partial void TakenOver(ILogger logger, string account, string node);
}
