using Quartz;
using TokenBroker.Daemon.Metrics;

namespace TokenBroker.Daemon.Refresh;

/// <summary>Registers the refresh scheduler: Quartz with its in-memory store, the coordinator, the lookup service.</summary>
internal static class RefreshServices
{
    public static IServiceCollection AddRefreshScheduler(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RefreshOptions.Section).Get<RefreshOptions>() ?? new RefreshOptions();
        options.Policy();
        services.AddOptions<RefreshOptions>().Bind(configuration.GetSection(RefreshOptions.Section));
        services.AddQuartz(quartz =>
        {
            quartz.UseInMemoryStore();
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
