using System.Collections.Frozen;
using System.Reflection;

namespace TicketFunctions.Data;

/// <summary>The .sql files under sql/, embedded in the assembly and looked up by name ("bookings/create_hold").</summary>
public static class Sql
{
    private const string Prefix = "sql/";

    private static readonly FrozenDictionary<string, string> Scripts = LoadAll();

    /// <summary>Every embedded script by name, migrations included.</summary>
    public static IReadOnlyDictionary<string, string> All => Scripts;

    /// <summary>The text of sql/<paramref name="name"/>.sql; throws at once when there is no such file.</summary>
    public static string Load(string name)
        => Scripts.TryGetValue(name, out var text)
            ? text
            : throw new InvalidOperationException($"No SQL script 'sql/{name}.sql' is embedded in {typeof(Sql).Assembly.GetName().Name}. Check the file name and that it sits under sql/.");

    private static FrozenDictionary<string, string> LoadAll()
    {
        var assembly = typeof(Sql).Assembly;
        var scripts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var name = resource.Replace('\\', '/');
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts[name[Prefix.Length..^".sql".Length]] = reader.ReadToEnd();
        }

        return scripts.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
