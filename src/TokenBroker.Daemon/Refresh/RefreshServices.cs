using Quartz;

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
        });
        services.AddSingleton<RefreshTriggers>();
        services.AddSingleton<RefreshCoordinator>();
        services.AddSingleton<NotifyCommand>();
        services.AddSingleton<TokenLookup>();
        services.AddTransient<RefreshJob>();
        services.AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = false);
        return services;
    }
}
