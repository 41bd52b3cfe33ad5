using TokenBroker.Core;
using TokenBroker.Daemon;

const int ExitUsage = 64;
const int ExitConfig = 78;

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
catch (SetupException ex)
{
    await Console.Error.WriteLineAsync($"tokenbrokerd: {ex.Message}");
    return ExitConfig;
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
    catch (SetupException ex)
    {
        await Console.Error.WriteLineAsync($"tokenbrokerd: {ex.Message}");
        return ExitConfig;
    }

    // Checking the store read every page of it: hand that memory back before the accounts load.
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    await app.RunAsync();
}

// Zero, unless the daemon stopped itself over a setup problem found once it was listening (78).
return Environment.ExitCode;
