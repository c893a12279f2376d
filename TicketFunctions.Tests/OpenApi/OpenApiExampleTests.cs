using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Auth;
using TicketFunctions.OpenApi;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>
/// The examples and rules of the served document against the running app: each request example is what Try it out
/// sends, and each limit or enum in a schema is the one the app enforces.
/// </summary>
public sealed class OpenApiExampleTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // The order of a new user going down the page after logging in with the login example (the configured admin):
    // each example uses the ids that the ones before it created (movie 1, theatre 1, showtime 1, booking 1).
    private static readonly string[] Walk = ["Register", "Login", "CreateMovie", "UpdateMovie", "CreateTheatre", "UpdateTheatre", "CreateShowtime", "CreateBooking", "CreatePayment"];

    [Fact]
    public async Task Every_request_example_succeeds_on_a_fresh_app_in_page_order()
    {
        await using var app = await StartAsync();
        var document = await DocumentAsync(app);
        var operations = Operations(document).Where(o => o.Operation["requestBody"] is not null).ToDictionary(o => o.Id);
        Assert.Equal(Walk.Order(StringComparer.Ordinal), operations.Keys.Order(StringComparer.Ordinal));

        string? token = null;
        foreach (var id in Walk)
        {
            var (_, method, url, operation) = operations[id];
            using var response = await app.Send(new HttpMethod(method), url, Example(document, operation["requestBody"]!)!.ToJsonString(), operation["security"]?.AsArray().Count > 0 ? token : null);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(response.IsSuccessStatusCode, $"{id} answered {(int)response.StatusCode}: {text}");
            token = id == "Login" ? JsonNode.Parse(text)!["accessToken"]!.GetValue<string>() : token;
        }
    }

    [Fact]
    public async Task Every_json_answer_and_problem_has_an_example()
    {
        await using var app = await StartAsync();
        var document = await DocumentAsync(app);

        foreach (var (id, _, _, operation) in Operations(document))
        {
            foreach (var (status, response) in operation["responses"]!.AsObject())
            {
                foreach (var (mediaType, media) in response!["content"]?.AsObject() ?? [])
                {
                    if (mediaType.EndsWith("json", StringComparison.Ordinal) && !id.Contains("OpenApi", StringComparison.Ordinal) && id != "SwaggerJson")
                    {
                        Assert.True(Example(document, media!) is not null, $"{id} {status} {mediaType} has no example.");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Each_limit_in_a_request_schema_is_the_one_the_app_enforces()
    {
        await using var app = await StartAsync();
        var document = await DocumentAsync(app);
        var token = await AdminTokenAsync(app);
        var checkedRules = 0;

        foreach (var (id, method, url, operation) in Operations(document).Where(o => o.Operation["requestBody"] is not null && o.Id is not "Login"))
        {
            var schema = Component(document, operation["requestBody"]!["content"]!["application/json"]!["schema"]!)!;
            foreach (var (name, property) in schema["properties"]!.AsObject())
            {
                foreach (var (value, allowed) in Boundaries(property!))
                {
                    var body = Example(document, operation["requestBody"]!)!.AsObject();

                    // A property the example leaves null is one of a choice (seats or seatCount): it replaces the others.
                    foreach (var other in body.Where(p => body[name] is null && p.Key != name && schema["required"]!.AsArray().All(r => r!.GetValue<string>() != p.Key)).Select(p => p.Key).ToList())
                    {
                        body[other] = null;
                    }

                    body[name] = value;
                    using var response = await app.Send(new HttpMethod(method), url, body.ToJsonString(), token);
                    var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["errors"]?.AsObject();
                    var refused = (int)response.StatusCode == 400 && errors?.ContainsKey(name) == true;

                    Assert.True(refused != allowed, $"{id}: {name} = {value?.ToJsonString()} should be {(allowed ? "accepted" : "refused")}; the app answered {(int)response.StatusCode} {errors?.ToJsonString()}");
                    checkedRules++;
                }
            }
        }

        Assert.True(checkedRules >= 40, $"only {checkedRules} boundaries were checked");
    }

    [Fact]
    public async Task Each_limit_and_enum_of_a_query_parameter_is_the_one_the_app_enforces()
    {
        await using var app = await StartAsync();
        var document = await DocumentAsync(app);
        var token = await AdminTokenAsync(app);
        var checkedRules = 0;

        foreach (var (id, _, url, operation) in Operations(document))
        {
            foreach (var parameter in (operation["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == "query"))
            {
                var name = parameter!["name"]!.GetValue<string>();
                var schema = Component(document, parameter["schema"]) ?? parameter["schema"]!;
                var values = Boundaries(schema).Select(b => (Value: b.Value!.ToJsonString().Trim('"'), b.Allowed))
                    .Concat((schema["enum"]?.AsArray() ?? []).Select(v => (Value: v!.GetValue<string>(), Allowed: true)))
                    .Concat(schema["enum"] is null ? [] : [(Value: "BOGUS", Allowed: false)])
                    .Concat(schema["pattern"]?.GetValue<string>() is { } pattern ? Times.Select(t => (Value: t, Allowed: Regex.IsMatch(t, pattern))) : []);
                foreach (var (value, allowed) in values)
                {
                    using var response = await app.Get($"{url}?{name}={Uri.EscapeDataString(value)}", token);
                    var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["errors"]?.AsObject();
                    var refused = (int)response.StatusCode == 400 && errors?.ContainsKey(name) == true;

                    Assert.True(refused != allowed && (refused || response.IsSuccessStatusCode), $"{id}?{name}={value} should be {(allowed ? "accepted" : "refused")}; the app answered {(int)response.StatusCode} {errors?.ToJsonString()}");
                    checkedRules++;
                }
            }
        }

        Assert.True(checkedRules >= 60, $"only {checkedRules} query values were checked");
    }

    // Times a client may send for from and to: the document's pattern decides which the app must take.
    private static readonly string[] Times =
    [
        "2027-01-01", "2027-01-01T18:30:00Z", "2027-01-01T18:30Z", "2027-01-01T19:30:00+01:00", "2027-01-01T18:30:00.1234567Z",
        "2027-01-01T18:30:00", "2027-01-01T18:30", "2027-01-01T18:30:00.123", "01/01/2027", "2027-01-01 18:30:00", "2027-1-1", "2027-01-01T18",
        "20270101", "2027-01-01t18:30:00z", "2027-01-01T18:30:00+0100",
    ];

    [Fact]
    public async Task A_time_without_an_offset_is_read_as_utc_and_a_date_as_its_whole_day()
    {
        await using var app = await StartAsync();
        var token = await AdminTokenAsync(app);

        using var local = await app.Get("api/manage/reports/sales?from=2027-01-01T18:30&to=2027-01-02", token);
        using var utc = await app.Get("api/manage/reports/sales?from=2027-01-01T18:30:00Z&to=2027-01-02T23:59:59.999Z", token);
        var (a, b) = (JsonNode.Parse(await local.Content.ReadAsStringAsync())!, JsonNode.Parse(await utc.Content.ReadAsStringAsync())!);

        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Equal("2027-01-01T18:30:00Z", a["from"]!.GetValue<string>());
        Assert.Equal(b["from"]!.GetValue<string>(), a["from"]!.GetValue<string>());
        Assert.Equal(b["to"]!.GetValue<string>(), a["to"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_statuses_and_roles_of_the_schemas_are_the_ones_the_database_checks()
    {
        await using var app = await StartAsync();
        var schemas = (await DocumentAsync(app))["components"]!["schemas"]!;
        // Each store's own migrations: both must check exactly the values the schemas list.
        foreach (var provider in new[] { "sqlite", "postgres" })
        {
            var migrations = string.Concat(Directory.GetFiles(Path.Combine(Repository.Root, "sql", "migrations", provider), "*.sql").Select(File.ReadAllText));
            var checks = Regex.Matches(migrations, @"(\w+)\s+TEXT\s+NOT NULL CHECK \(\1 IN \(([^)]*)\)\)")
                .Select(m => string.Join(",", m.Groups[2].Value.Split(',').Select(v => v.Trim().Trim('\'')).Order(StringComparer.Ordinal)))
                .ToList();

            foreach (var (schema, property) in new[] { ("BookingResponse", "status"), ("PaymentResponse", "status"), ("UserResponse", "role"), ("AdminBookingResponse", "status"), ("AdminBookingResponse", "paymentStatus") })
            {
                var enumSchema = schemas[schema]!["properties"]![property]!;
                enumSchema = schemas[(enumSchema["$ref"] ?? enumSchema["anyOf"]![0]!["$ref"])!.GetValue<string>().Split('/')[^1]]!;
                var values = enumSchema["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal);
                Assert.True(checks.Contains(string.Join(",", values)), $"{provider}: {schema}.{property} [{string.Join(",", values)}] is not a CHECK list of its migrations");
            }
        }
    }

    /// <summary>Values at and just beyond each limit of a property schema, and whether the app must accept them.</summary>
    private static IEnumerable<(JsonNode? Value, bool Allowed)> Boundaries(JsonNode property)
    {
        int? Int(string name) => property[name]?.GetValue<int>();
        var integer = property["type"] is JsonArray types ? types.Any(t => t!.GetValue<string>() == "integer") : property["type"]?.GetValue<string>() == "integer";
        string Text(int length) => property["pattern"]?.GetValue<string>() == JsonSchemas.EmailPattern ? new string('x', length - 12) + "@example.com" : new string('x', length);
        if (Int("maxLength") is { } maxLength)
        {
            yield return (Text(maxLength), true);
            yield return (Text(maxLength + 1), false);
        }

        if (Int("minLength") is { } minLength)
        {
            yield return (Text(minLength), true);
            yield return (Text(minLength - 1), false);
        }

        if (Int("maxItems") is { } maxItems)
        {
            yield return (new JsonArray([.. Enumerable.Range(1, maxItems).Select(n => JsonValue.Create($"B{n}"))]), true);
            yield return (new JsonArray([.. Enumerable.Range(1, maxItems + 1).Select(n => JsonValue.Create($"B{n}"))]), false);
            yield return (new JsonArray(), Int("minItems") is not > 0);
        }

        if (property["maximum"]?.GetValue<decimal>() is { } maximum)
        {
            yield return (maximum, true);
            yield return (maximum + (integer ? 1 : 0.01m), false);
        }

        // OpenAPI 3.1 (JSON Schema): exclusiveMinimum is the bound itself.
        if ((property["minimum"] ?? property["exclusiveMinimum"])?.GetValue<decimal>() is { } minimum)
        {
            var exclusive = property["minimum"] is null;
            var step = integer ? 1 : 0.01m;
            yield return (exclusive ? minimum + step : minimum, true);
            yield return (exclusive ? minimum : minimum - step, false);
        }

        if (property["multipleOf"]?.GetValue<decimal>() is { } multipleOf)
        {
            yield return (multipleOf * 1001, true);
            yield return (multipleOf * 1001 + (multipleOf / 10), false);
        }
    }

    private Task<LocalHostApp> StartAsync()
        => LocalHostApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            // The configured admin is the login example's, as in local.settings.json.example.
            ["Admin:Email"] = LoginRequest.Example.Email,
            ["Admin:Password"] = LoginRequest.Example.Password,
        });

    private static async Task<string> AdminTokenAsync(LocalHostApp app) => (await app.Login(LoginRequest.Example.Email, LoginRequest.Example.Password)).Token;

    private static async Task<JsonNode> DocumentAsync(LocalHostApp app) => JsonNode.Parse(await app.Client.GetStringAsync("api/openapi/v3.json"))!;

    /// <summary>Each operation with its URL as Try it out builds it: the server, then the path with each parameter's example.</summary>
    private static IEnumerable<(string Id, string Method, string Url, JsonNode Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        let url = Regex.Replace(
            document["servers"]![0]!["url"]!.GetValue<string>() + path.Key,
            @"\{(\w+)\}",
            m => operation.Value!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == m.Groups[1].Value)!["example"]?.ToJsonString().Trim('"') ?? "x")
        select (operation.Value!["operationId"]!.GetValue<string>(), operation.Key.ToUpperInvariant(), url.TrimStart('/'), operation.Value!);

    /// <summary>The example of a media type or request body: its own, or its schema's (through $ref and a page's items).</summary>
    private static JsonNode? Example(JsonNode document, JsonNode media)
    {
        var content = media["content"]?["application/json"] ?? media;
        return content["example"]?.DeepClone() ?? (Component(document, content["schema"]) is { } schema
            ? schema["example"]?.DeepClone() ?? Component(document, schema["properties"]?["items"]?["items"])?["example"]?.DeepClone()
            : null);
    }

    private static JsonNode? Component(JsonNode document, JsonNode? schema)
        => schema?["$ref"]?.GetValue<string>() is { } reference ? document["components"]!["schemas"]![reference.Split('/')[^1]] : null;
}
