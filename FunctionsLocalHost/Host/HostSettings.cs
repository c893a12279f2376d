using System.Globalization;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>The host.json settings the local host honours, read from configuration (see <see cref="LocalSettings"/>).</summary>
internal sealed record HostSettings(string RoutePrefix, QueueSettings Queues, TimeSpan? FunctionTimeout)
{
    internal static HostSettings From(IConfiguration configuration)
    {
        var extensions = configuration.GetSection($"{LocalSettings.HostJsonPrefix}:extensions");
        var routePrefix = extensions["http:routePrefix"] ?? "api";
        return new HostSettings(routePrefix.Trim('/'), QueueSettings.From(extensions.GetSection("queues")), FunctionTimeoutSetting.Read(configuration));
    }
}

/// <summary>host.json <c>extensions.queues</c>, with the real host's defaults.</summary>
internal sealed record QueueSettings(
    int BatchSize,
    int NewBatchThreshold,
    TimeSpan MaxPollingInterval,
    TimeSpan VisibilityTimeout,
    int MaxDequeueCount,
    bool Base64)
{
    internal static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    internal static QueueSettings From(IConfigurationSection queues)
    {
        var batchSize = Int(queues, "batchSize", 16, 1, 32);
        var encoding = queues["messageEncoding"] ?? "base64";
        if (!encoding.Equals("base64", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(queues, "messageEncoding", encoding, "base64 or none");
        }

        return new QueueSettings(
            batchSize,
            Int(queues, "newBatchThreshold", batchSize / 2, 0, int.MaxValue),
            Time(queues, "maxPollingInterval", TimeSpan.FromMinutes(1), MinPollingInterval),
            Time(queues, "visibilityTimeout", TimeSpan.Zero, TimeSpan.Zero),
            Int(queues, "maxDequeueCount", 5, 1, int.MaxValue),
            encoding.Equals("base64", StringComparison.OrdinalIgnoreCase));
    }

    private static int Int(IConfigurationSection section, string key, int fallback, int min, int max)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Invalid(section, key, text, $"a whole number from {min} to {max}");
    }

    private static TimeSpan Time(IConfigurationSection section, string key, TimeSpan fallback, TimeSpan min)
    {
        var text = section[key];
        if (text is null)
        {
            return fallback;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw Invalid(section, key, text, $"a time span (hh:mm:ss) of at least {min}");
    }

    private static InvalidOperationException Invalid(IConfigurationSection section, string key, string value, string expected)
        => new($"host.json extensions.queues.{key} ({section.Path}:{key}) is '{value}'; expected {expected}.");
}
