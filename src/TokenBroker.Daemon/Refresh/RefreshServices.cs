using Npgsql;
using Quartz;
using TokenBroker.Daemon.Metrics;

namespace TokenBroker.Daemon.Refresh;

/// <summary>
/// Registers the refresh scheduler: Quartz — with its in-memory store, or with the clustered job
/// store in the shared PostgreSQL database, so each refresh fires on one node and a dead node's
/// work moves to the others — the coordinator, the lookup service.
/// </summary>
internal static class RefreshServices
{
    /// <param name="services">The daemon's services.</param>
    /// <param name="configuration">The configuration, for the refresh settings.</param>
    /// <param name="storage">The storage settings, for the cluster's check-in interval.</param>
    /// <param name="sharedStore">The shared store's connection string, or null for the in-memory job store.</param>
    public static IServiceCollection AddRefreshScheduler(this IServiceCollection services, IConfiguration configuration, StorageOptions storage, string? sharedStore)
    {
        var options = configuration.GetSection(RefreshOptions.Section).Get<RefreshOptions>() ?? new RefreshOptions();
        options.Policy();
        services.AddOptions<RefreshOptions>().Bind(configuration.GetSection(RefreshOptions.Section));
        services.AddQuartz(quartz =>
        {
            if (sharedStore is not null)
            {
                // Every node keeps Quartz's default instance name: the cluster's rows are found by it.
                quartz.UsePersistentStore(store =>
                {
                    store.UsePostgres(NpgsqlFactory.Instance, sharedStore);
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = storage.ClusterCheckinInterval;
                        cluster.CheckinMisfireThreshold = storage.ClusterCheckinInterval;
                    });
                    store.ProvisionSchema();
                    // After a database outage the scheduler tries again within seconds, not the default 15.
                    store.ConfigureStore(job => job.DbRetryInterval = TimeSpan.FromSeconds(2));
                });
            }
            else
            {
                quartz.UseInMemoryStore();
            }

            quartz.UseDefaultThreadPool(options.Concurrency);

            // The longest the scheduler sleeps before it reads the clock again (after a suspend or a clock step).
            quartz.ConfigureScheduler(scheduler => scheduler.IdleWaitTime = TimeSpan.FromSeconds(30));
        });
        services.AddSingleton<RefreshTriggers>();
        services.AddSingleton<RefreshCoordinator>();
        services.AddSingleton<RefreshMetrics>();
        services.AddSingleton<NotifyCommand>();
        services.AddSingleton<TokenLookup>();
        services.AddTransient<RefreshJob>();
        services.AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = false);
        return services;
    }
}
