using System.Globalization;
using System.Text.Json;

using Microsoft.Extensions.Configuration;

namespace FunctionsLocalHost;

/// <summary>
/// The settings of a function app as Core Tools assembles them: host.json (under <c>AzureFunctionsJobHost:</c>, as the
/// real host exposes it, so <c>AzureFunctionsJobHost__extensions__queues__batchSize</c> overrides it) and
/// local.settings.json <c>Values</c>, below the environment variables, which win; explicit overrides (tests, scripts)
/// win over all. The worker gets the same values as environment variables, as Core Tools gives them.
/// </summary>
internal sealed class LocalSettings
{
    internal const string HostJsonPrefix = "AzureFunctionsJobHost";
    internal const string HostJsonFileName = "host.json";
    internal const string LocalSettingsFileName = "local.settings.json";

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    private LocalSettings(IConfigurationRoot configuration, IReadOnlyDictionary<string, string> workerEnvironment)
    {
        Configuration = configuration;
        WorkerEnvironment = workerEnvironment;
    }

    /// <summary>Everything the host reads: host.json, app settings, environment, overrides.</summary>
    public IConfigurationRoot Configuration { get; }

    /// <summary>The app settings to add to the worker's environment (which it otherwise inherits from the host).</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment { get; }

    /// <summary>Reads host.json and (unless told not to) local.settings.json from the first of <paramref name="searchDirectories"/> holding each.</summary>
    internal static LocalSettings Load(IReadOnlyDictionary<string, string?> overrides, bool readLocalSettingsFile, params string[] searchDirectories)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            // ASP.NET Core's start-up chatter is noise next to the function log lines; host.json may say otherwise.
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Grpc"] = "Warning",
            ["Logging:LogLevel:Yarp"] = "Warning",
        };
        if (Find(HostJsonFileName, searchDirectories) is { } hostJson)
        {
            AddHostJson(hostJson, data);
        }

        var values = readLocalSettingsFile && Find(LocalSettingsFileName, searchDirectories) is { } localSettings
            ? ReadValues(localSettings, data)
            : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

        // Keys are compared as configuration compares them (A__B is A:B); the last of two spellings wins.
        var overridden = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in overrides)
        {
            overridden[ConfigurationKey(key)] = value;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(data)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overridden)
            .Build();

        var worker = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (value is not null && Environment.GetEnvironmentVariable(name) is null)
            {
                worker[name] = value;
            }
        }

        foreach (var (key, value) in overrides)
        {
            if (value is not null)
            {
                worker[key.Replace(ConfigurationPath.KeyDelimiter, "__", StringComparison.Ordinal)] = value;
            }
        }

        return new LocalSettings(configuration, worker);
    }

    /// <summary>An app setting name as configuration sees it: the double underscore is the section separator.</summary>
    private static string ConfigurationKey(string name) => name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    private static string? Find(string fileName, string[] directories)
        => directories.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

    private static void AddHostJson(string path, Dictionary<string, string?> data)
    {
        using var document = Parse(path);
        Flatten(document.RootElement, HostJsonPrefix, data);

        // The host's log levels apply to its own categories too, as in Azure.
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

    private static Dictionary<string, string?> ReadValues(string path, Dictionary<string, string?> data)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        if (root.TryGetProperty("IsEncrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
        {
            throw new InvalidOperationException(
                $"{path} is encrypted (\"IsEncrypted\": true) and the local host cannot decrypt it. "
                + "Run 'func settings decrypt', or write the values in plain text with \"IsEncrypted\": false.");
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("Values", out var entries) && entries.ValueKind == JsonValueKind.Object)
        {
            foreach (var value in entries.EnumerateObject())
            {
                values[value.Name] = Text(value.Value);
                data[ConfigurationKey(value.Name)] = Text(value.Value);
            }
        }

        if (root.TryGetProperty("ConnectionStrings", out var connectionStrings) && connectionStrings.ValueKind == JsonValueKind.Object)
        {
            foreach (var connectionString in connectionStrings.EnumerateObject())
            {
                values[$"ConnectionStrings__{connectionString.Name}"] = Text(connectionString.Value);
                data[$"ConnectionStrings:{connectionString.Name}"] = Text(connectionString.Value);
            }
        }

        return values;
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
