using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>The timer functions' listeners, each a singleton across the hosts of one app on one Storage account.</summary>
internal static class TimerListeners
{
    internal static void Add(IServiceCollection services, IEnumerable<HostedFunction> timers, IConfiguration configuration, string appDirectory, string environmentName, ILoggerFactory loggers)
    {
        var singleton = SingletonSettings.From(configuration, environmentName);
        services.AddSingleton(sp => HostStorage.From(configuration, sp.GetRequiredService<QueueConnections>(), appDirectory));
        foreach (var function in timers)
        {
            services.AddSingleton<IHostedService>(sp => new TimerFunctionScheduler(
                function, sp.GetRequiredService<FunctionInvoker>(), configuration, sp.GetRequiredService<HostStorage>(), singleton, sp.GetRequiredService<TimeProvider>(), loggers));
        }
    }

    /// <summary>Fails start-up with the fix when timer functions are enabled and the account's blob service does not answer.</summary>
    internal static Task CheckStorageAsync(IServiceProvider services, IEnumerable<HostedFunction> enabled, CancellationToken cancellationToken)
        => enabled.Any(f => f.IsTimer) ? services.GetRequiredService<HostStorage>().CheckAsync(cancellationToken) : Task.CompletedTask;
}
