using TokenBroker.Core;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon;

const int ExitUsage = 64;
const int ExitConfig = 78;
const int ExitTemporary = 75;

Umask.RestrictToOwner();
var arguments = DaemonArguments.Parse(args, out var usageError);
if (arguments is null)
{
    await Console.Error.WriteLineAsync($"tokenbrokerd: {usageError}\n\n{DaemonArguments.Usage}");
    return ExitUsage;
}

if (arguments.Help)
{
    Console.WriteLine(DaemonArguments.Usage);
    return 0;
}

var configFile = arguments.ResolveConfigFile();
WebApplication app;
try
{
    app = DaemonApp.Build(configFile);
}
catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
{
    // The JSON provider names neither cause plainly; the operator needs the file and the reason.
    await Console.Error.WriteLineAsync($"tokenbrokerd: cannot read configuration file {configFile}: {ex.InnerException?.Message ?? ex.Message}");
    return ExitConfig;
}
catch (Exception ex) when (ex is SetupException or StoreUnavailableException)
{
    return await StoppedAsync(ex);
}

await using (app)
{
    var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TokenBroker.Daemon");
    if (configFile is null)
    {
        DaemonLog.NoConfigFile(logger);
    }
    else
    {
        DaemonLog.ConfigFile(logger, configFile);
    }

    try
    {
        await app.OpenStoreAsync();
    }
    catch (Exception ex) when (ex is SetupException or StoreUnavailableException)
    {
        return await StoppedAsync(ex);
    }

    // Checking the store read every page of it: hand that memory back before the accounts load.
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    await app.RunAsync();
}

// Zero, unless the daemon stopped itself over a setup problem found once it was listening (78).
return Environment.ExitCode;

// One line on stderr: a setup problem (78, not restarted by the unit), or a shared store's database
// that does not answer yet (75: systemd starts the daemon again).
static async Task<int> StoppedAsync(Exception problem)
{
    var temporary = problem is StoreUnavailableException;
    await Console.Error.WriteLineAsync($"tokenbrokerd: {problem.Message}{(temporary ? "; try again once it answers" : string.Empty)}");
    return temporary ? ExitTemporary : ExitConfig;
}
