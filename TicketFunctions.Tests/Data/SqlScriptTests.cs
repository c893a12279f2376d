using System.Reflection;
using System.Runtime.CompilerServices;
using Dapper;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Data;

public sealed class SqlScriptTests
{
    public static TheoryData<string> Queries()
    {
        var data = new TheoryData<string>();
        foreach (var name in Sql.QueryNames)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Every_query_file_prepares_against_the_migrated_schema(string name)
    {
        await using var app = await TestApp.StartAsync();
        await using var connection = await app.Db.OpenAsync();

        // EXPLAIN compiles each statement without running it, so a typo or a missing column fails here, in the
        // dialect of the provider this run tests.
        foreach (var statement in Statements(Sql.Load(name).For(TestApp.Provider)))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN " + statement;
            foreach (var parameter in ParameterNames(statement))
            {
                var p = command.CreateParameter();
                p.ParameterName = parameter;
                p.Value = DBNull.Value;
                command.Parameters.Add(p);
            }

            await using var reader = await command.ExecuteReaderAsync();
        }
    }

    [Fact]
    public void Every_sql_file_under_sql_is_embedded()
    {
        var root = RepoRoot();
        var files = Directory.GetFiles(Path.Combine(root, "sql"), "*.sql", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(root, "sql"), f).Replace('\\', '/')[..^4])
            .Order(StringComparer.Ordinal);

        Assert.Equal(files, Sql.All.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_query_is_either_one_portable_file_or_one_file_per_provider()
    {
        var names = Sql.All.Keys.Where(k => !k.StartsWith("migrations/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var mixed = Sql.QueryNames.Where(n => names.Contains(n) && (names.Contains(n + ".sqlite") || names.Contains(n + ".postgres")));
        var half = Sql.QueryNames.Where(n => names.Contains(n + ".sqlite") != names.Contains(n + ".postgres"));

        Assert.Empty(mixed.Concat(half));
    }

    [Fact]
    public void Every_migration_has_its_twin_for_the_other_provider()
    {
        Assert.Equal(
            Sql.Migrations(DbProvider.Sqlite).Select(m => m.Key),
            Sql.Migrations(DbProvider.Postgres).Select(m => m.Key));
    }

    [Fact]
    public void Every_class_that_loads_sql_finds_its_files()
    {
        // Sql.Load runs in static field initializers: running every class constructor proves every name exists.
        var failures = new List<string>();
        foreach (var type in typeof(Sql).Assembly.GetTypes().Where(t => !t.IsGenericTypeDefinition))
        {
            try
            {
                RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            }
            catch (TypeInitializationException e)
            {
                failures.Add($"{type.FullName}: {e.InnerException?.Message}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Migrations_are_recorded_and_applying_them_again_changes_nothing()
    {
        await using var app = await TestApp.StartAsync();

        await app.Get<Migrator>().MigrateAsync();

        await using var connection = await app.Db.OpenAsync();
        var applied = (await connection.QueryAsync<string>("SELECT id FROM schema_migrations ORDER BY id")).ToList();
        Assert.Equal(app.Get<Migrator>().Migrations.Select(m => m.Key), applied);
        if (TestApp.Provider == DbProvider.Sqlite)
        {
            Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        }
        else
        {
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'"));
        }
    }

    private static IEnumerable<string> Statements(string script)
    {
        // Split on ';' at the end of a line outside a trigger body; good enough for this project's own scripts.
        var statements = new List<string>();
        var current = new System.Text.StringBuilder();
        var depth = 0;
        foreach (var line in script.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            if (trimmed.StartsWith("CREATE TRIGGER", StringComparison.OrdinalIgnoreCase))
            {
                depth++;
            }

            current.AppendLine(line);
            if (trimmed.Equals("END;", StringComparison.OrdinalIgnoreCase))
            {
                depth--;
            }

            if (depth == 0 && trimmed.EndsWith(';'))
            {
                statements.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.ToString().Trim().Length > 0)
        {
            statements.Add(current.ToString());
        }

        return statements.Where(s => s.Trim().Length > 0);
    }

    private static IEnumerable<string> ParameterNames(string statement)
        => System.Text.RegularExpressions.Regex.Matches(statement, @"@[A-Za-z_][A-Za-z0-9_]*").Select(m => m.Value).Distinct(StringComparer.Ordinal);

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TicketFunctions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run the tests from inside the repository.");
    }
}
