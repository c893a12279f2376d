using System.Globalization;
using System.Text.Json;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace FunctionsLocalHost;

/// <summary>
/// The settings Core Tools gives a worker: host.json (under <c>AzureFunctionsJobHost:</c>, as the real host exposes
/// it, so <c>AzureFunctionsJobHost__extensions__queues__batchSize</c> overrides it) and local.settings.json
/// <c>Values</c>, both below the environment variables, which win.
/// </summary>
internal static class LocalSettings
{
    internal const string HostJsonPrefix = "AzureFunctionsJobHost";
    internal const string HostJsonFileName = "host.json";
    internal const string LocalSettingsFileName = "local.settings.json";

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>
    /// Adds host.json and local.settings.json (each the first found in <paramref name="searchDirectories"/>) just
    /// below the unprefixed environment variables source, or last when there is none.
    /// </summary>
    internal static void AddTo(IConfigurationBuilder configuration, params string[] searchDirectories)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            // ASP.NET Core's start-up chatter is noise next to the function log lines; host.json may say otherwise.
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        if (Find(HostJsonFileName, searchDirectories) is { } hostJson)
        {
            AddHostJson(hostJson, data);
        }

        if (Find(LocalSettingsFileName, searchDirectories) is { } localSettings)
        {
            AddLocalSettings(localSettings, data);
        }

        var source = new MemoryConfigurationSource { InitialData = data };
        var sources = configuration.Sources;
        var environment = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                environment = i;
            }
        }

        if (environment < 0)
        {
            configuration.Add(source);
        }
        else
        {
            sources.Insert(environment, source);
        }
    }

    private static string? Find(string fileName, string[] directories)
        => directories.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

    private static void AddHostJson(string path, Dictionary<string, string?> data)
    {
        using var document = Parse(path);
        Flatten(document.RootElement, HostJsonPrefix, data);

        // The host's log levels apply to the worker's logs too, as in Azure.
        if (document.RootElement.TryGetProperty("logging", out var logging)
            && logging.ValueKind == JsonValueKind.Object
            && logging.TryGetProperty("logLevel", out var levels)
            && levels.ValueKind == JsonValueKind.Object)
        {
            foreach (var level in levels.EnumerateObject())
            {
                var category = level.Name.Equals("default", StringComparison.OrdinalIgnoreCase) ? "Default" : level.Name;
                data[$"Logging:LogLevel:{category}"] = level.Value.ToString();
            }
        }
    }

    private static void AddLocalSettings(string path, Dictionary<string, string?> data)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        if (root.TryGetProperty("IsEncrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
        {
            throw new InvalidOperationException(
                $"{path} is encrypted (\"IsEncrypted\": true) and the local host cannot decrypt it. "
                + "Run 'func settings decrypt', or write the values in plain text with \"IsEncrypted\": false.");
        }

        // Core Tools turns each value into an environment variable of the worker, whose configuration maps the
        // double underscore to a section separator.
        if (root.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var value in values.EnumerateObject())
            {
                data[value.Name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = Text(value.Value);
            }
        }

        if (root.TryGetProperty("ConnectionStrings", out var connectionStrings) && connectionStrings.ValueKind == JsonValueKind.Object)
        {
            foreach (var connectionString in connectionStrings.EnumerateObject())
            {
                data[$"ConnectionStrings:{connectionString.Name}"] = Text(connectionString.Value);
            }
        }
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path), JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static void Flatten(JsonElement element, string path, Dictionary<string, string?> data)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, ConfigurationPath.Combine(path, property.Name), data);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, ConfigurationPath.Combine(path, index++.ToString(CultureInfo.InvariantCulture)), data);
                }

                break;
            default:
                data[path] = Text(element);
                break;
        }
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };
}
