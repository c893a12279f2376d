using System.Globalization;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>
/// The host id that names a function app's leases and timer status in its Storage account, derived as the real host's
/// <c>ScriptHostIdProvider</c> does when it runs outside Azure (azure-functions-host
/// <c>src/WebJobs.Script/Host/ScriptHostIdProvider.cs</c>): the setting <c>AzureFunctionsWebHost__hostid</c> when given,
/// else the machine name's letters and digits, a dash and the absolute value of a stable hash of the app's folder
/// (<c>Utility.GetStableHash</c>), cut to 32 characters, lower-cased, trailing dashes trimmed. So every host of one app
/// folder on one machine shares an id (and so its timers' leases), and another folder is another app.
/// </summary>
internal static class HostId
{
    internal const string Setting = "AzureFunctionsWebHost:hostid";

    private const int MaximumLength = 32;

    internal static string For(IConfiguration configuration, string appDirectory)
    {
        if (configuration[Setting] is { } configured)
        {
            return configured;
        }

        var machine = new string(Environment.MachineName.Where(char.IsLetterOrDigit).ToArray());
        // Math.Abs as the real host calls it; long keeps int.MinValue from overflowing.
        var id = $"{machine}-{Math.Abs((long)StableHash(appDirectory)).ToString(CultureInfo.InvariantCulture)}";
        if (id.Length > MaximumLength)
        {
            id = id[..MaximumLength];
        }

        return id.ToLowerInvariant().TrimEnd('-');
    }

    /// <summary>The real host's <c>Utility.GetStableHash</c>: 23, then hash * 31 + each UTF-16 unit, wrapping.</summary>
    internal static int StableHash(string value)
    {
        unchecked
        {
            var hash = 23;
            foreach (var c in value)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }

    /// <summary>The full name the real host gives a function's generated method (<c>Host.Functions.X</c>, ScriptHost.cs).</summary>
    internal static string FunctionFullName(string functionName) => string.Create(CultureInfo.InvariantCulture, $"Host.Functions.{functionName}");

    /// <summary>The container of the real host's own blobs (azure-webjobs-sdk <c>HostContainerNames.Hosts</c>).</summary>
    internal const string HostsContainer = "azure-webjobs-hosts";
}
