using System.Text.RegularExpressions;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary><c>%Name%</c> in a binding property (queue name, schedule) stands for the app setting Name, as in the Functions host.</summary>
internal static partial class SettingReferences
{
    internal static string Resolve(IConfiguration configuration, string text, string what)
        => Reference().Replace(text, m => configuration[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"The {what} '{text}' refers to the app setting '{m.Groups[1].Value}', which is missing."));

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Reference();
}
