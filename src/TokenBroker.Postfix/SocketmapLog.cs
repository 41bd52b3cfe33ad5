using Microsoft.Extensions.Logging;

namespace TokenBroker.Postfix;

/// <summary>Log messages of the socketmap service (event ids 4000–4099). Keys are addresses and host names, never secrets.</summary>
internal static partial class SocketmapLog
{
    [LoggerMessage(4000, LogLevel.Debug, "socketmap {Map} {Key}: {Status}")]
    public static partial void Answered(ILogger logger, string map, string key, SocketmapStatus status);

    [LoggerMessage(4001, LogLevel.Warning, "socketmap: refused a request: {Problem}")]
    public static partial void BadRequest(ILogger logger, string problem);

    [LoggerMessage(4002, LogLevel.Warning, "socketmap: closed a connection: more than {Limit} at once (TokenBroker:Postfix:MaxConnections)")]
    public static partial void TooManyConnections(ILogger logger, int limit);

    [LoggerMessage(4004, LogLevel.Warning, "socketmap: closed a connection: {Peer} already hold {Limit} (TokenBroker:Postfix:MaxConnectionsPerUser)")]
    public static partial void TooManyConnectionsOfUser(ILogger logger, string peer, int limit);

    [LoggerMessage(4003, LogLevel.Information, "socketmap: closed a connection: {Reason}")]
    public static partial void TimedOut(ILogger logger, string reason);

    [LoggerMessage(4004, LogLevel.Error, "socketmap {Map} {Key}: lookup failed; answered TEMP")]
    public static partial void LookupFailed(ILogger logger, Exception exception, string map, string key);
}
