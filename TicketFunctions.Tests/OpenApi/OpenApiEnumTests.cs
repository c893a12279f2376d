using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using TicketFunctions.Auth;
using TicketFunctions.Bookings;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>
/// Each enum of the document is one named component, made from the one list in the code that validation reads, and
/// that list holds every value the code can write: each constant of its class, and each status literal of the SQL; and
/// each stored one is exactly the CHECK list of its column in a database the real migrations built, on the provider
/// under test (TEST_DATABASE_PROVIDER).
/// </summary>
public sealed class OpenApiEnumTests
{
    private static readonly Assembly App = typeof(TicketFunctionsServices).Assembly;

    public static TheoryData<string> ConstantsClasses() => [.. OneOfs().Select(o => o.Constants.FullName!).Distinct()];

    [Theory]
    [MemberData(nameof(ConstantsClasses))]
    public async Task Each_status_list_is_one_enum_component_with_every_value_its_class_can_write(string constantsClass)
    {
        var oneOf = OneOfs().First(o => o.Constants.FullName == constantsClass);
        var written = oneOf.Constants.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToList();
        var schemas = (await OpenApiDocumentTests.ServedDocument()).GetProperty("components").GetProperty("schemas");

        Assert.Equal(written.Order(StringComparer.Ordinal), oneOf.Values.Order(StringComparer.Ordinal));
        Assert.Equal(oneOf.Values.Count, oneOf.Values.Distinct(StringComparer.Ordinal).Count());
        var component = schemas.GetProperty(oneOf.SchemaName);
        Assert.Equal("string", component.GetProperty("type").GetString());
        Assert.Equal(oneOf.Values, component.GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task No_schema_of_the_document_inlines_an_enum_or_gives_one_a_null_member()
    {
        var document = await OpenApiDocumentTests.ServedDocument();
        var components = document.GetProperty("components").GetProperty("schemas").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        var enums = components.Where(c => c.Value.TryGetProperty("enum", out _)).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["BookingStatus", "FailureReason", "HealthStatus", "PaymentStatus", "Role", "SeatStatus"], enums);
        Assert.All(enums, name => Assert.DoesNotContain(components[name].GetProperty("enum").EnumerateArray(), v => v.ValueKind == JsonValueKind.Null));

        // Below the components' top level (properties, parameters, items), an enum is always a $ref.
        var inlined = new List<string>();
        Walk(document.GetProperty("paths"), "#/paths", inlined);
        foreach (var (name, schema) in components)
        {
            foreach (var member in schema.EnumerateObject())
            {
                Walk(member.Value, $"#/components/schemas/{name}/{member.Name}", inlined);
            }
        }

        Assert.Empty(inlined);
    }

    [Fact]
    public void Every_status_literal_of_the_sql_is_in_its_list()
    {
        var statuses = BookingStatus.All.Concat(PaymentStatuses.All).ToHashSet(StringComparer.Ordinal);
        var sql = Directory.GetFiles(Path.Combine(Repository.Root, "sql"), "*.sql", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var literals = sql.SelectMany(f => Regex.Matches(File.ReadAllText(f), "'([A-Z]{4,})'").Select(m => (File: Path.GetFileName(f), Value: m.Groups[1].Value))).ToList();
        var roles = sql.SelectMany(f => Regex.Matches(File.ReadAllText(f), @"'(User|Admin)'").Select(m => m.Groups[1].Value)).ToList();

        Assert.True(literals.Count > 20, $"only {literals.Count} status literals were found");
        Assert.DoesNotContain(literals, l => !statuses.Contains(l.Value));
        Assert.NotEmpty(roles);
        Assert.All(roles, role => Assert.Contains(role, Roles.All));
    }

    // Each enum component of the document that is stored: its column and the list the code writes; the rest are computed.
    private static readonly (string Component, string Table, string Column, string[] Written)[] Stored =
    [
        ("BookingStatus", "bookings", "status", BookingStatus.All),
        ("FailureReason", "payments", "failure_reason", FailureReasons.All),
        ("PaymentStatus", "payments", "status", PaymentStatuses.All),
        ("Role", "users", "role", Roles.All),
    ];

    private static readonly string[] Computed = ["HealthStatus", "SeatStatus"];

    [Fact]
    public async Task Each_stored_enum_of_the_document_is_the_list_the_code_writes_and_the_CHECK_list_of_its_column_in_the_migrated_database()
    {
        var schemas = (await OpenApiDocumentTests.ServedDocument()).GetProperty("components").GetProperty("schemas");
        var enums = schemas.EnumerateObject().Where(s => s.Value.TryGetProperty("enum", out _)).Select(s => s.Name).Order(StringComparer.Ordinal);
        await using var app = await TestApp.StartAsync();

        Assert.Equal(Stored.Select(s => s.Component).Concat(Computed).Order(StringComparer.Ordinal), enums);
        foreach (var (component, table, column, written) in Stored)
        {
            var declared = schemas.GetProperty(component).GetProperty("enum").EnumerateArray().Select(v => v.GetString()!).ToList();
            var checkedValues = await CheckListAsync(app.Db, table, column);
            Assert.True(written.Order(StringComparer.Ordinal).SequenceEqual(declared.Order(StringComparer.Ordinal)), $"{component}: the document lists [{string.Join(", ", declared)}], the code writes [{string.Join(", ", written)}]");
            Assert.True(checkedValues.Order(StringComparer.Ordinal).SequenceEqual(declared.Order(StringComparer.Ordinal)), $"{component}: the document lists [{string.Join(", ", declared)}], {app.Db.Provider} checks {table}.{column} IN [{string.Join(", ", checkedValues)}]");
        }
    }

    /// <summary>The values of the one CHECK that lists <paramref name="column"/>'s values, as the database itself gives it back.</summary>
    private static async Task<List<string>> CheckListAsync(Db db, string table, string column)
    {
        await using var connection = await db.OpenAsync();
        List<string> lists;
        if (db.Provider == DbProvider.Postgres)
        {
            // pg_get_constraintdef: CHECK ((status = ANY (ARRAY['PENDING'::text, ...])))
            var definitions = await connection.QueryAsync<string>(
                "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conrelid = @table::regclass AND c.contype = 'c'", new { table });
            lists = [.. definitions.Select(d => Regex.Match(d, $@"^CHECK \(\({column} = ANY \(ARRAY\[(.*)\]\)\)\)$")).Where(m => m.Success).Select(m => m.Groups[1].Value)];
        }
        else
        {
            var sql = await connection.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = @table", new { table });
            lists = [.. Regex.Matches(sql!, $@"CHECK \({column} IN \(([^)]*)\)\)").Select(m => m.Groups[1].Value)];
        }

        var list = Assert.Single(lists);
        return [.. Regex.Matches(list, "'([^']*)'").Select(m => m.Groups[1].Value)];
    }

    private static void Walk(JsonElement node, string path, List<string> inlined)
    {
        if (node.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in node.EnumerateObject())
            {
                if (member.Name == "enum")
                {
                    inlined.Add(path);
                }
                else if (member.Name is not ("example" or "examples" or "default"))
                {
                    Walk(member.Value, $"{path}/{member.Name}", inlined);
                }
            }
        }
        else if (node.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in node.EnumerateArray())
            {
                Walk(item, $"{path}/{i++}", inlined);
            }
        }
    }

    private static IEnumerable<OneOfAttribute> OneOfs() =>
        from type in App.GetTypes()
        from member in type.GetProperties().Cast<ICustomAttributeProvider>().Concat(type.GetConstructors().SelectMany(c => c.GetParameters()))
        from oneOf in member.GetCustomAttributes(typeof(OneOfAttribute), inherit: true).Cast<OneOfAttribute>()
        select oneOf;
}
