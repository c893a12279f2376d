using System.Globalization;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>
/// host.json <c>functionTimeout</c> as azure-functions-host's ScriptJobHostOptionsSetup reads it: unset, 5 minutes on the
/// Consumption plan and 30 minutes on every other (Flex Consumption, Premium, Dedicated, and a local run, where no
/// <c>WEBSITE_SKU</c> is set); <c>-1</c> is no limit where the plan allows one (not on Consumption); any other value
/// must lie between 1 second and the plan's maximum (10 minutes on Consumption).
/// </summary>
internal static class FunctionTimeoutSetting
{
    internal static readonly TimeSpan Min = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan ConsumptionDefault = TimeSpan.FromMinutes(5);
    internal static readonly TimeSpan ConsumptionMax = TimeSpan.FromMinutes(10);
    internal static readonly TimeSpan Default = TimeSpan.FromMinutes(30);

    /// <summary>The timeout of every invocation, or null for none.</summary>
    internal static TimeSpan? Read(IConfiguration configuration)
    {
        // EnvironmentExtensions.IsConsumptionSku / IsFlexConsumptionSku: the plan is told by WEBSITE_SKU.
        var sku = configuration["WEBSITE_SKU"];
        var consumption = string.Equals(sku, "Dynamic", StringComparison.OrdinalIgnoreCase);
        var text = configuration[$"{LocalSettings.HostJsonPrefix}:functionTimeout"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return consumption ? ConsumptionDefault : Default;
        }

        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeout))
        {
            throw new InvalidOperationException(
                $"host.json functionTimeout ({LocalSettings.HostJsonPrefix}:functionTimeout) is '{text}'; expected a time span (hh:mm:ss), or -1 for no limit.");
        }

        // "-1" parses as minus one day, the value the real host compares with.
        if (!consumption && timeout == TimeSpan.FromDays(-1))
        {
            return null;
        }

        var max = consumption ? ConsumptionMax : TimeSpan.MaxValue;
        if (timeout < Min || timeout > max)
        {
            // The real host's words (ScriptJobHostOptionsSetup.ValidateTimeoutValue); it does not start either.
            throw new InvalidOperationException($"FunctionTimeout must be greater than {Min} and less than {max}.");
        }

        return timeout;
    }
}
