using System.Collections.Frozen;
using System.Data;

namespace TicketFunctions.Data;

/// <summary>
/// The .sql files under sql/, embedded in the assembly and looked up by name ("bookings/taken_seats"). A query is
/// one portable file, <c>name.sql</c>; where the dialects truly differ it is <c>name.sqlite.sql</c> and
/// <c>name.postgres.sql</c> instead, and each provider takes its own file before the portable one. Migrations are
/// per provider: <c>migrations/sqlite/NNNN_name.sql</c> and <c>migrations/postgres/NNNN_name.sql</c>.
/// </summary>
public static class Sql
{
    private const string Prefix = "sql/";
    private const string MigrationsFolder = "migrations/";

    private static readonly FrozenDictionary<string, string> Files = LoadAll();

    /// <summary>Every embedded file by its path under sql/ without ".sql" ("bookings/taken_seats.postgres").</summary>
    public static IReadOnlyDictionary<string, string> All => Files;

    /// <summary>The query names (provider suffixes removed, migrations left out), each found by <see cref="Load"/>.</summary>
    public static IReadOnlyList<string> QueryNames { get; } =
        [.. Files.Keys.Where(k => !k.StartsWith(MigrationsFolder, StringComparison.Ordinal)).Select(BaseName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The script sql/<paramref name="name"/> for every provider; throws at once when a provider has no file for it
    /// (neither its own nor a portable one), so a missing or misnamed file fails at start-up or in a test.
    /// </summary>
    public static SqlScript Load(string name)
        => new(name, Text(name, DbProvider.Sqlite), Text(name, DbProvider.Postgres));

    /// <summary>The provider's migrations in order, as (id, script); the id ("0001_initial") is what schema_migrations records.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Migrations(DbProvider provider)
    {
        var folder = $"{MigrationsFolder}{Suffix(provider)}/";
        return [.. Files.Where(f => f.Key.StartsWith(folder, StringComparison.Ordinal))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => KeyValuePair.Create(f.Key[folder.Length..], f.Value))];
    }

    public static string Suffix(DbProvider provider) => provider == DbProvider.Postgres ? "postgres" : "sqlite";

    private static string Text(string name, DbProvider provider)
        => Files.TryGetValue($"{name}.{Suffix(provider)}", out var own) ? own
            : Files.TryGetValue(name, out var portable) ? portable
            : throw new InvalidOperationException(
                $"No SQL script for '{name}' on {Suffix(provider)}: neither sql/{name}.sql nor sql/{name}.{Suffix(provider)}.sql is embedded in {typeof(Sql).Assembly.GetName().Name}. Check the file name and that it sits under sql/.");

    private static string BaseName(string key)
        => key.EndsWith(".sqlite", StringComparison.Ordinal) || key.EndsWith(".postgres", StringComparison.Ordinal) ? key[..key.LastIndexOf('.')] : key;

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

/// <summary>One query in both dialects; Dapper calls with a script (see <see cref="SqlScriptDapper"/>) run the connection's own.</summary>
public sealed record SqlScript(string Name, string Sqlite, string Postgres)
{
    public string For(DbProvider provider) => provider == DbProvider.Postgres ? Postgres : Sqlite;

    public string For(IDbConnection connection) => For(Db.ProviderOf(connection));

    public override string ToString() => Name;
}
