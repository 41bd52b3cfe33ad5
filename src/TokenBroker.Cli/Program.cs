using System.CommandLine;
using TokenBroker.Cli;
using TokenBroker.Core;

var adminSocket = new Option<string?>("--admin-socket")
{
    Description = $"The daemon's admin socket (default: ${AdminClient.SocketVariable}, else {AdminClient.DefaultSocket}, else ./var/admin.sock)",
    Recursive = true,
};
var root = new RootCommand("tokenbroker: operate the TokenBroker OAuth2 token broker for mail servers")
{
    adminSocket,
    InitCommand.Create(),
    AccountCommand.Create(adminSocket),
    ConsentCommand.Create(adminSocket),
    StatusCommand.Create(adminSocket),
    TokenCommand.Create(adminSocket),
    RefreshCommand.Create(adminSocket),
    PostfixConfigCommand.Create(adminSocket),
    DoctorCommand.Create(adminSocket),
    BackupCommand.Backup(adminSocket),
    BackupCommand.Restore(adminSocket),
    BackupCommand.Rekey(adminSocket),
    ReloadCommand.Create(adminSocket),
    DemoCommand.Create(),
};
root.Subcommands.Add(Completions.Create(root));

var result = root.Parse(args);
if (result.Errors.Count > 0)
{
    // One line per error (System.CommandLine puts allowed values on lines of their own), and the first says where help is.
    var lines = result.Errors.Select(e => string.Join(' ', e.Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    await Console.Error.WriteLineAsync($"tokenbroker: {string.Join("\ntokenbroker: ", lines)} (tokenbroker --help shows usage)");
    return ExitCodes.Usage;
}

try
{
    return await result.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (SetupException ex)
{
    await Console.Error.WriteLineAsync($"tokenbroker: {ex.Message}");
    return ExitCodes.Failure;
}
catch (CliException ex)
{
    await Console.Error.WriteLineAsync($"tokenbroker: {ex.Message}");
    return ex.ExitCode;
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM while waiting (for a consent, say): the daemon carries on; nothing to report but that.
    await Console.Error.WriteLineAsync("tokenbroker: interrupted");
    return ExitCodes.Interrupted;
}
