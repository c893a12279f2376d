using System.Text.RegularExpressions;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary><c>%Name%</c> in a binding property (queue name, schedule) stands for the app setting Name, as in the Functions host.</summary>
internal static partial class SettingReferences
{
    internal static string Resolve(IConfiguration configuration, string text, string what)
        => Reference().Replace(text, m => Setting(configuration, m.Groups[1].Value)
            ?? throw new InvalidOperationException($"The {what} '{text}' refers to the app setting '{m.Groups[1].Value}', which is missing."));

    /// <summary>An app setting by its name as written (Payments__Schedule), which configuration keys as Payments:Schedule.</summary>
    internal static string? Setting(IConfiguration configuration, string name)
        => configuration[name] ?? configuration[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)];

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Reference();
}
