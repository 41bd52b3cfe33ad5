using System.Net;
using Microsoft.Extensions.Logging.Console;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Consent;

namespace TokenBroker.Daemon;

/// <summary>Builds the daemon: configuration, logging, store, OAuth clients and the loopback consent endpoint.</summary>
internal static class DaemonApp
{
    /// <summary>Builds the app from a config file (or none) plus environment variables and <paramref name="overrides"/>.</summary>
    /// <exception cref="FileNotFoundException">The config file does not exist.</exception>
    /// <exception cref="InvalidDataException">The config file is not valid JSON.</exception>
    public static WebApplication Build(string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Environment.CurrentDirectory });
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(overrides ?? []);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        var services = builder.Services;
        services.AddSystemd();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<BrokerOptions>().Bind(builder.Configuration.GetSection(BrokerOptions.Section));
        services.AddOptions<ConsentOptions>().Bind(builder.Configuration.GetSection(ConsentOptions.Section));
        services.AddGrantStore();
        services.AddOAuth();
        services.AddRoutingCore();
        services.AddSingleton<LoopbackEndpoint>();
        services.AddSingleton<ConsentCoordinator>();
        services.AddHostedService<StartupReport>();

        var consent = builder.Configuration.GetSection(ConsentOptions.Section).Get<ConsentOptions>() ?? new ConsentOptions();
        var address = consent.LoopbackAddress();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, consent.Port));

        var app = builder.Build();
        app.MapConsent();
        return app;
    }

    private static IServiceCollection AddOAuth(this IServiceCollection services)
    {
        services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        });
        services.AddSingleton<EndpointResolver>();
        services.AddSingleton<CodeFlowClient>();
        services.AddSingleton(sp =>
        {
            var codeFlow = sp.GetRequiredService<CodeFlowClient>();
            return new OAuthClients(new Dictionary<ProviderKind, IOAuthClient>
            {
                [ProviderKind.Generic] = codeFlow,
                [ProviderKind.Google] = codeFlow,
            });
        });
        services.AddSingleton<GrantRefresher>();
        return services;
    }

    /// <summary>Opens the store now, so a setup problem surfaces before the host starts.</summary>
    public static IGrantStore OpenStore(this WebApplication app) => app.Services.GetRequiredService<IGrantStore>();
}
