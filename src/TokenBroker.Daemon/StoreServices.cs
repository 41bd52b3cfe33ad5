using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Core.Storage;
using TokenBroker.Storage;

namespace TokenBroker.Daemon;

/// <summary>
/// Registers the state directory, the master key and the embedded store. Each is created on first
/// use, which <see cref="Program"/> forces before the host starts so a setup problem ends the
/// process with one clear line.
/// </summary>
internal static class StoreServices
{
    public static IServiceCollection AddGrantStore(this IServiceCollection services, StateLayout layout)
    {
        services.AddSingleton(sp =>
        {
            var created = PrivateFiles.EnsureDirectory(layout.Directory);
            DaemonLog.StateDirectory(Logger(sp), layout.Directory, created ? " (created)" : string.Empty);
            return layout;
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BrokerOptions>>().Value;
            var layout = sp.GetRequiredService<StateLayout>();
            var source = MasterKeySource.Resolve(options.MasterKeyFile, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"), layout);
            var store = LiteDbGrantStore.Open(layout, source);
            var logger = Logger(sp);
            if (store.Recovery != RekeyRecovery.None)
            {
                DaemonLog.RekeyRecovered(logger, store.Recovery == RekeyRecovery.Finished ? "finished: the store and key file now hold the new key" : "undone: the store keeps the old key", store.Key.KeyId);
            }

            DaemonLog.MasterKey(logger, store.Key.Source, store.Key.KeyId, store.KeyCreated ? " (created)" : string.Empty);
            if (source.Path == layout.DefaultKeyFile)
            {
                DaemonLog.KeyBesideStore(logger);
            }

            DaemonLog.Store(logger, store.FilePath, store.Created ? " (created)" : string.Empty);
            return store;
        });
        services.AddSingleton<ISealedStore>(sp => sp.GetRequiredService<LiteDbGrantStore>());
        services.AddSingleton(sp => new WatchedGrantStore(sp.GetRequiredService<LiteDbGrantStore>()));
        services.AddSingleton<IGrantStore>(sp => sp.GetRequiredService<WatchedGrantStore>());
        return services;
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger("TokenBroker.Daemon.Store");
}
