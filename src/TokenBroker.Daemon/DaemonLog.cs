using TokenBroker.Core.Grants;

namespace TokenBroker.Daemon;

/// <summary>The daemon's log messages, with stable event ids. None of them carries a secret.</summary>
internal static partial class DaemonLog
{
    [LoggerMessage(1000, LogLevel.Information, "Configuration file: {ConfigFile}")]
    public static partial void ConfigFile(ILogger logger, string configFile);

    [LoggerMessage(1001, LogLevel.Information, "No configuration file; using defaults and TOKENBROKER__* environment variables (run with --config FILE to use one)")]
    public static partial void NoConfigFile(ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "State directory: {Directory}{Created}")]
    public static partial void StateDirectory(ILogger logger, string directory, string created);

    [LoggerMessage(1003, LogLevel.Information, "Master key: {Source} (key id {KeyId}){Created}")]
    public static partial void MasterKey(ILogger logger, string source, string keyId, string created);

    [LoggerMessage(1004, LogLevel.Warning, "The master key file sits in the state directory beside the store; for production give it to the service as a systemd credential (LoadCredentialEncrypted=tokenbroker.key) or set TokenBroker:MasterKeyFile")]
    public static partial void KeyBesideStore(ILogger logger);

    [LoggerMessage(1005, LogLevel.Information, "Store: {StoreFile}{Created}")]
    public static partial void Store(ILogger logger, string storeFile, string created);

    [LoggerMessage(1006, LogLevel.Information, "Account {Account}: {State}, {Plan}")]
    public static partial void Account(ILogger logger, string account, GrantState state, string plan);

    [LoggerMessage(1007, LogLevel.Error, "Account {Account} is unreadable and will not be served: {Reason}")]
    public static partial void UnreadableAccount(ILogger logger, string account, string reason);

    [LoggerMessage(1008, LogLevel.Information, "No accounts yet. Next: tokenbroker account add NAME --provider google|microsoft|generic --username ADDRESS, then tokenbroker consent NAME")]
    public static partial void NoAccounts(ILogger logger);

    [LoggerMessage(1009, LogLevel.Information, "tokenbrokerd ready: {Readable} account(s), {Unreadable} unreadable; consent callback {RedirectUri}; admin socket {AdminSocket}")]
    public static partial void Ready(ILogger logger, int readable, int unreadable, Uri redirectUri, string adminSocket);

    [LoggerMessage(1010, LogLevel.Information, "tokenbrokerd stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(1011, LogLevel.Information, "Account {Account} from the configuration: {Outcome}")]
    public static partial void DeclaredAccount(ILogger logger, string account, string outcome);

    [LoggerMessage(1012, LogLevel.Information, "Configuration reloaded: {Declared} declared account(s) applied; changed settings waiting for the next start: {Pending}")]
    public static partial void Reloaded(ILogger logger, int declared, string pending);

    [LoggerMessage(1013, LogLevel.Error, "Configuration reload refused: {Problem}")]
    public static partial void ReloadRefused(ILogger logger, string problem);

    [LoggerMessage(1014, LogLevel.Critical, "{Problem}; stopping")]
    public static partial void SocketAccessFailed(ILogger logger, string problem);

    [LoggerMessage(1015, LogLevel.Warning, "A master key change was cut off by a crash and is now {Outcome} (key id {KeyId})")]
    public static partial void RekeyRecovered(ILogger logger, string outcome, string keyId);

    [LoggerMessage(1016, LogLevel.Information, "Change feed listening on {Store}: other nodes' commits reach this node's cache")]
    public static partial void FeedListening(ILogger logger, string store);

    [LoggerMessage(1017, LogLevel.Warning, "Change feed lost the database ({Problem}); lookups read the store and keep serving still-valid tokens while it cannot be read; reconnecting")]
    public static partial void FeedLost(ILogger logger, string problem);

    [LoggerMessage(1018, LogLevel.Information, "SIGHUP was ignored when the daemon started (nohup?); it reloads the configuration all the same")]
    public static partial void HangupWasIgnored(ILogger logger);
}
