using TokenBroker.Core.Secrets;
using TokenBroker.Core.State;
using TokenBroker.Core.Storage;
using TokenBroker.Storage;
using TokenBroker.Storage.Postgres;

namespace TokenBroker.Daemon;

/// <summary>
/// Registers the state directory, the master key and the store — the embedded file, or the shared
/// PostgreSQL database. Each is created on first use, which <see cref="Program"/> forces before the
/// host starts so a setup problem ends the process with one clear line.
/// </summary>
internal static class StoreServices
{
    /// <param name="services">The daemon's services.</param>
    /// <param name="layout">The state directory.</param>
    /// <param name="storage">The storage settings.</param>
    /// <param name="sharedStore">The shared store's connection string, or null for the embedded store.</param>
    public static IServiceCollection AddGrantStore(this IServiceCollection services, StateLayout layout, StorageOptions storage, string? sharedStore)
    {
        services.AddSingleton(sp =>
        {
            var created = PrivateFiles.EnsureDirectory(layout.Directory);
            DaemonLog.StateDirectory(Logger(sp), layout.Directory, created ? " (created)" : string.Empty);
            return layout;
        });
        if (sharedStore is not null)
        {
            services.AddSingleton(sp => OpenShared(sp, sharedStore, storage.CheckInterval));
            services.AddSingleton<ISealedStore>(sp => sp.GetRequiredService<PostgresGrantStore>());
            services.AddSingleton<ISharedConsents>(sp => sp.GetRequiredService<PostgresGrantStore>());
            services.AddSingleton(sp => new WatchedGrantStore(sp.GetRequiredService<PostgresGrantStore>()));
        }
        else
        {
            services.AddSingleton(OpenEmbedded);
            services.AddSingleton<ISealedStore>(sp => sp.GetRequiredService<LiteDbGrantStore>());
            services.AddSingleton(sp => new WatchedGrantStore(sp.GetRequiredService<LiteDbGrantStore>()));
        }

        services.AddSingleton<IGrantStore>(sp => sp.GetRequiredService<WatchedGrantStore>());
        return services;
    }

    private static MasterKeySource KeySource(IServiceProvider services) => MasterKeySource.Resolve(
        services.GetRequiredService<IOptions<BrokerOptions>>().Value.MasterKeyFile,
        Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"),
        services.GetRequiredService<StateLayout>());

    private static LiteDbGrantStore OpenEmbedded(IServiceProvider services)
    {
        var layout = services.GetRequiredService<StateLayout>();
        var source = KeySource(services);
        var store = LiteDbGrantStore.Open(layout, source);
        var logger = Logger(services);
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
    }

    private static PostgresGrantStore OpenShared(IServiceProvider services, string connectionString, TimeSpan checkInterval)
    {
        var logger = Logger(services);
        var key = KeySource(services).LoadOrCreate(out var keyCreated);
        DaemonLog.MasterKey(logger, key.Source, key.KeyId, keyCreated ? " (created)" : string.Empty);
        PostgresGrantStore store;
        try
        {
            // Once, before the host starts (see OpenStoreAsync): nothing else runs yet to wait on.
            store = PostgresGrantStore.OpenAsync(connectionString, key, ownsKey: true, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch
        {
            key.Dispose();
            throw;
        }

        var migrated = store.Migrated.Count == 0 ? string.Empty : $", schema migrated to version {store.Migrated[^1]}";
        DaemonLog.Store(logger, $"{store.Location} (shared by every node on it){migrated}", store.Created ? " (created)" : string.Empty);
        store.FeedStateChanged += (_, problem) =>
        {
            if (problem is null)
            {
                DaemonLog.FeedListening(logger, store.Location);
            }
            else
            {
                DaemonLog.FeedLost(logger, problem);
            }
        };
        store.StartFeed(checkInterval);
        return store;
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger("TokenBroker.Daemon.Store");
}
