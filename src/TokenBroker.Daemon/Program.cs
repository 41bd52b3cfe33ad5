using Microsoft.Extensions.Logging.Console;
using TokenBroker.Core;
using TokenBroker.Core.Storage;
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

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
{
    ContentRootPath = Environment.CurrentDirectory,
});
var configFile = arguments.ResolveConfigFile();
try
{
    if (configFile is not null)
    {
        builder.Configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
    }
}
catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
{
    // The JSON provider names neither cause plainly; the operator needs the file and the reason.
    await Console.Error.WriteLineAsync($"tokenbrokerd: cannot read configuration file {configFile}: {ex.InnerException?.Message ?? ex.Message}");
    return ExitConfig;
}

builder.Configuration.AddEnvironmentVariables();
builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.UseUtcTimestamp = true;
    console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
    console.ColorBehavior = LoggerColorBehavior.Disabled;
});
builder.Services.AddSystemd();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddOptions<BrokerOptions>().Bind(builder.Configuration.GetSection(BrokerOptions.Section));
builder.Services.AddGrantStore();
builder.Services.AddHostedService<StartupReport>();

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TokenBroker.Daemon");
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
    host.Services.GetRequiredService<IGrantStore>();
}
catch (SetupException ex)
{
    await Console.Error.WriteLineAsync($"tokenbrokerd: {ex.Message}");
    return ExitConfig;
}

await host.RunAsync();
return 0;
