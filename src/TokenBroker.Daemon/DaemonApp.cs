using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using TokenBroker.Core.Accounts;
using TokenBroker.Core.Admin;
using TokenBroker.Core.OAuth;
using TokenBroker.Core.OAuth.Msal;
using TokenBroker.Core.State;
using TokenBroker.Core.Storage;
using TokenBroker.Daemon.Admin;
using TokenBroker.Daemon.Consent;
using TokenBroker.Daemon.Metrics;
using TokenBroker.Daemon.Postfix;
using TokenBroker.Daemon.Refresh;
using TokenBroker.Daemon.TokenFiles;

namespace TokenBroker.Daemon;

/// <summary>Builds the daemon: configuration, logging, store, OAuth clients, the refresh scheduler and the loopback consent endpoint.</summary>
internal static class DaemonApp
{
    /// <summary>
    /// Builds the app from a config file (or none), environment variables and <paramref name="overrides"/>;
    /// <paramref name="services"/> registers first, so a clock or HttpClient it gives replaces the defaults (tests give a fake clock or log collector).
    /// </summary>
    /// <exception cref="FileNotFoundException">The config file does not exist.</exception>
    /// <exception cref="InvalidDataException">The config file is not valid JSON.</exception>
    public static WebApplication Build(string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Environment.CurrentDirectory });
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(configFile, optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(overrides ?? []);
        SettingsCheck.Verify(builder.Configuration);
        // Quartz's start-up chatter is not for operators; the Logging section can turn it back on.
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // ASP.NET Core's request log carries the full URL, and the consent callback's URL carries the
        // authorization code. Registered after the configuration, so no Logging setting turns it back on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        var consent = builder.Configuration.GetSection(ConsentOptions.Section).Get<ConsentOptions>() ?? new ConsentOptions();
        var address = consent.LoopbackAddress();
        var broker = builder.Configuration.GetSection(BrokerOptions.Section).Get<BrokerOptions>() ?? new BrokerOptions();
        var layout = StateLayout.Resolve(broker.StateDirectory, Environment.GetEnvironmentVariable("STATE_DIRECTORY"));
        var adminSocket = broker.ResolveAdminSocket(layout.Directory);
        var admin = builder.Configuration.GetSection(AdminOptions.Section).Get<AdminOptions>() ?? new AdminOptions();
        var adminMode = admin.Mode();
        var metrics = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        metrics.Check();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        storage.Check();

        // The caller's registrations come first: the clock and HttpClient below are only defaults.
        services?.Invoke(builder.Services);
        builder.Services.AddSystemd();
        builder.Services.AddMetrics();
        // Read once: the store and the scheduler's job store connect with the same string, named after the node.
        var node = broker.ResolveNodeName();
        var sharedStore = storage.Shared ? storage.ResolveConnectionString(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"), node) : null;
        builder.Services.AddBroker(builder.Configuration, layout, storage, sharedStore, node);
        builder.Services.AddSingleton(new AdminSocketPath(adminSocket));
        builder.Services.AddSingleton(new ConfigurationSources(configFile, [.. overrides ?? []]));
        builder.Services.AddSingleton<ConfigurationReload>();
        builder.Services.AddHostedService<ReloadOnHangup>();
        builder.Services.AddSingleton(admin.Access());
        if (metrics.Enabled)
        {
            builder.Services.AddSingleton<MetricsCollector>();
        }

        var postfix = builder.Services.AddPostfixLookup(builder.Configuration);
        var postfixSocket = postfix?.ResolveSocket(layout.Directory);
        if (postfixSocket is not null)
        {
            builder.Services.AddSingleton(new PostfixSocketPath(postfixSocket));
        }
        // Every handler here is short and asynchronous: running it on the socket's own thread instead of
        // handing it to the thread pool saves two thread wake-ups per Postfix lookup (see the benchmark).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // No admin request needs more (restore raises it for its own body); Kestrel's default is 30 MB.
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Listen(address, consent.Port);
            kestrel.ListenUnixSocket(SocketFile.PrepareForBind(adminSocket, layout.Directory, "TokenBroker:AdminSocket"));
            if (metrics is { Enabled: true, Port: { } metricsPort })
            {
                kestrel.Listen(IPAddress.Loopback, metricsPort);
            }
            if (postfix is not null)
            {
                kestrel.ListenForPostfix(postfix, postfixSocket!, layout.Directory);
            }
        });

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            try
            {
                SocketFile.SetAccess(adminSocket, adminMode, admin.SocketGroup, $"{AdminOptions.Section}:SocketGroup");
            }
            catch (Core.SetupException ex)
            {
                // Found only once listening (the group exists, the daemon may not give it the socket): stop as a bad setup does.
                DaemonLog.SocketAccessFailed(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DaemonApp)), ex.Message);
                Environment.ExitCode = 78;
                app.Lifetime.StopApplication();
                return;
            }

            if (postfix is not null)
            {
                app.OpenForPostfix(postfix, postfixSocket!);
            }
        });
        app.MapConsent();
        app.MapAdmin();
        if (metrics.Enabled)
        {
            // Created now, so the counters run from the start rather than from the first scrape.
            app.Services.GetRequiredService<MetricsCollector>();
            app.MapMetrics(metrics);
        }

        return app;
    }

    private static void AddBroker(this IServiceCollection services, ConfigurationManager configuration, StateLayout layout, StorageOptions storage, string? sharedStore, string node)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<BrokerOptions>().Bind(configuration.GetSection(BrokerOptions.Section));
        services.AddOptions<ConsentOptions>().Bind(configuration.GetSection(ConsentOptions.Section));
        services.AddGrantStore(layout, storage, sharedStore);
        services.AddSingleton(new NodeName(node));
        services.AddOAuth(node);
        services.AddRoutingCore();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default));
        services.AddSingleton<LoopbackEndpoint>();
        services.AddSingleton<ConsentCoordinator>();
        services.AddSingleton<AccountReports>();
        services.AddSingleton<DoctorChecks>();
        services.AddOptions<TokenFileOptions>().Bind(configuration.GetSection(TokenFileOptions.Section));
        services.AddSingleton(sp => new TokenFileWriter(sp.GetRequiredService<IOptions<TokenFileOptions>>().Value.Resolve(layout.Directory)));
        services.AddHostedService<TokenFileService>();
        services.AddHostedService<StartupReport>();
        services.AddRefreshScheduler(configuration, storage, sharedStore);
    }

    private static IServiceCollection AddOAuth(this IServiceCollection services, string node)
    {
        services.TryAddSingleton(_ => new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
        })
        {
            // A backstop for every request; a refresh has its own, shorter limit on the daemon's clock.
            Timeout = TimeSpan.FromSeconds(100),
        });
        services.AddSingleton<EndpointResolver>();
        services.AddSingleton<CodeFlowClient>();
        services.AddSingleton<MsalClient>();
        services.AddSingleton(sp =>
        {
            var codeFlow = sp.GetRequiredService<CodeFlowClient>();
            return new OAuthClients(new Dictionary<ProviderKind, IOAuthClient>
            {
                [ProviderKind.Generic] = codeFlow,
                [ProviderKind.Google] = codeFlow,
                [ProviderKind.Microsoft] = sp.GetRequiredService<MsalClient>(),
            });
        });
        services.AddSingleton(sp => new GrantRefresher(sp.GetRequiredService<IGrantStore>(), sp.GetRequiredService<OAuthClients>(), sp.GetRequiredService<TimeProvider>(), node));
        return services;
    }

    /// <summary>Opens the store now, so a setup problem surfaces before the host starts.</summary>
    /// <summary>
    /// Opens the store (creating state directory, key and store on first start) and applies the
    /// accounts declared in the configuration, before the host starts.
    /// </summary>
    /// <exception cref="Core.SetupException">The state, key or store is unusable, or a declared account is invalid.</exception>
    public static async Task OpenStoreAsync(this WebApplication app) =>
        await DeclaredAccounts.ApplyAsync(
            DeclaredAccounts.Read(app.Configuration, app.Services.GetRequiredService<TokenFileWriter>()),
            app.Services.GetRequiredService<IGrantStore>(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DeclaredAccounts)),
            CancellationToken.None).ConfigureAwait(false);
}
