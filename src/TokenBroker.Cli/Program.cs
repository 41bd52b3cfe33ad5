using System.CommandLine;
using TokenBroker.Cli;
using TokenBroker.Core;

var root = new RootCommand("tokenbroker: operate the TokenBroker OAuth2 token broker for mail servers")
{
    InitCommand.Create(),
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
