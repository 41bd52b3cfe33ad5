namespace TokenBroker.Daemon.Postfix;

/// <summary>Log messages of the Postfix lookup service (event ids 4100–4199).</summary>
internal static partial class PostfixLog
{
    [LoggerMessage(4100, LogLevel.Information, "Postfix lookups on {Endpoints} (maps {MapName} and {RelayMapName}); main.cf: smtp_sasl_password_maps = proxy:socketmap:unix:{Socket}:{MapName}")]
    public static partial void Listening(ILogger logger, string endpoints, string mapName, string relayMapName, string socket);

    [LoggerMessage(4101, LogLevel.Warning, "Postfix key {Key} is claimed by accounts {Accounts} alike and is answered TEMP until one of them is given a --match key for it")]
    public static partial void Ambiguous(ILogger logger, string key, string accounts);

    [LoggerMessage(4102, LogLevel.Critical, "Stopping: {Problem}")]
    public static partial void SocketAccessFailed(ILogger logger, string problem);
}
