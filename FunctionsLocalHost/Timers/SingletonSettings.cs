using System.Globalization;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>
/// host.json <c>singleton</c>, the part listener leases use, with the real host's defaults and limits (azure-webjobs-sdk
/// <c>src/Microsoft.Azure.WebJobs.Host/Singleton/SingletonOptions.cs</c>, and <c>Hosting/WebJobsServiceCollectionExtensions.cs</c>,
/// which shortens the listener lease to 15 s in the Development environment): a listener lease of 15 to 60 s (60 by
/// default), renewed when half of it has passed; a host that did not get a lease tries again every
/// <c>listenerLockRecoveryPollingInterval</c> (1 minute by default, at least 15 s). With <c>TimeSpan.MaxValue</c> the real
/// <c>SingletonListener</c> retries its first attempt every <c>lockAcquisitionPollingInterval</c> (5 s by default)
/// instead, as <see cref="RetryInterval"/> does.
/// </summary>
internal sealed record SingletonSettings(TimeSpan ListenerLockPeriod, TimeSpan ListenerLockRecoveryPollingInterval)
{
    private static readonly TimeSpan MinimumLeasePeriod = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaximumLeasePeriod = TimeSpan.FromSeconds(60);

    /// <summary>The shortest pause between two renewals after failed ones (SingletonManager's MinimumLeaseRenewalInterval).</summary>
    internal static readonly TimeSpan MinimumRenewalInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan LockAcquisitionPollingInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long a host that did not get the lease waits before it tries again.</summary>
    internal TimeSpan RetryInterval => ListenerLockRecoveryPollingInterval == TimeSpan.MaxValue ? LockAcquisitionPollingInterval : ListenerLockRecoveryPollingInterval;

    internal static SingletonSettings From(IConfiguration configuration, string environmentName)
    {
        var section = configuration.GetSection($"{LocalSettings.HostJsonPrefix}:singleton");
        var lockPeriod = environmentName.Equals("Development", StringComparison.OrdinalIgnoreCase) ? MinimumLeasePeriod : MaximumLeasePeriod;
        if (section["listenerLockPeriod"] is { } period)
        {
            lockPeriod = TimeSpan.TryParse(period, CultureInfo.InvariantCulture, out var parsed) && parsed >= MinimumLeasePeriod && parsed <= MaximumLeasePeriod
                ? parsed
                : throw Invalid("listenerLockPeriod", period, "a time span from 00:00:15 to 00:01:00");
        }

        var recovery = TimeSpan.FromMinutes(1);
        if (section["listenerLockRecoveryPollingInterval"] is { } polling)
        {
            recovery = TimeSpan.TryParse(polling, CultureInfo.InvariantCulture, out var parsed) && (parsed >= MinimumLeasePeriod || parsed == TimeSpan.MaxValue)
                ? parsed
                : throw Invalid("listenerLockRecoveryPollingInterval", polling, "a time span of at least 00:00:15");
        }

        return new SingletonSettings(lockPeriod, recovery);
    }

    private static InvalidOperationException Invalid(string key, string value, string expected)
        => new($"host.json singleton.{key} is '{value}'; expected {expected}.");
}
