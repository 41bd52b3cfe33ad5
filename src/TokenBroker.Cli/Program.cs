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
    ConsentCommand.Create(adminSocket),
    TokenCommand.Create(adminSocket),
    PostfixConfigCommand.Create(adminSocket),
};

var result = root.Parse(args);
if (result.Errors.Count > 0)
{
    foreach (var error in result.Errors)
    {
        await Console.Error.WriteLineAsync($"tokenbroker: {error.Message}");
    }

    await Console.Error.WriteLineAsync("Run 'tokenbroker --help' for usage.");
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
