using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using TicketFunctions.Auth;
using TicketFunctions.OpenApi;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.OpenApi;

public sealed class OpenApiDocumentTests
{
    private static readonly Assembly App = typeof(TicketFunctionsServices).Assembly;

    public static TheoryData<string> HttpFunctionNames() => [.. HttpFunction.FindAll(App).Select(f => f.Name)];

    [Fact]
    public void The_app_has_http_functions_to_document()
    {
        var names = HttpFunction.FindAll(App).Select(f => f.Name).ToList();

        Assert.Contains("Login", names);
        Assert.Contains("Health", names);
        Assert.Contains("OpenApiDocument", names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(HttpFunctionNames))]
    public void Every_http_function_declares_who_may_call_it_its_tag_summary_and_a_success_response(string name)
    {
        var method = HttpFunction.FindAll(App).Single(f => f.Name == name).Method;

        Assert.True(method.GetCustomAttribute<AccessAttribute>() is not null, $"{method.DeclaringType!.Name}.{method.Name} has no [Access].");
        Assert.NotEmpty(method.GetCustomAttribute<TagsAttribute>()?.Tags ?? []);
        Assert.False(string.IsNullOrWhiteSpace(method.GetCustomAttribute<EndpointSummaryAttribute>()?.Summary));
        Assert.True(
            method.GetCustomAttributes<ProducesResponseTypeAttribute>().Any(r => r.StatusCode is >= 200 and < 300),
            $"{method.DeclaringType!.Name}.{method.Name} has no success [ProducesResponseType].");
    }

    [Theory]
    [MemberData(nameof(HttpFunctionNames))]
    public async Task Every_http_function_is_in_the_document_with_its_route_parameters_body_and_codes(string name)
    {
        var function = HttpFunction.FindAll(App).Single(f => f.Name == name);
        var document = await ServedDocument();
        var path = OpenApiDocumentFactory.PathOf(function.Route);

        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is not in the document.");
        foreach (var httpMethod in function.HttpMethods)
        {
            Assert.True(item.TryGetProperty(httpMethod, out var operation), $"{httpMethod} {path} is not in the document.");
            var parameters = operation.TryGetProperty("parameters", out var list)
                ? list.EnumerateArray().Select(p => (In: p.GetProperty("in").GetString(), Name: p.GetProperty("name").GetString())).ToList()
                : [];

            foreach (var route in RoutePatternFactory.Parse(function.Route).Parameters)
            {
                Assert.Contains(("path", route.Name), parameters);
            }

            foreach (var query in Security.HostileRequests.QueryParameters(function))
            {
                Assert.Contains(("query", query), parameters);
            }

            foreach (var header in function.Method.GetCustomAttributes<ApiHeaderAttribute>())
            {
                Assert.Contains(("header", header.Name), parameters);
            }

            var responses = operation.GetProperty("responses");
            foreach (var response in function.Method.GetCustomAttributes<ProducesResponseTypeAttribute>())
            {
                Assert.True(responses.TryGetProperty(response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out _),
                    $"{httpMethod} {path} lacks its {response.StatusCode} answer.");
            }

            // Every operation can fail unexpectedly: 500 as the generic problem; a 503 that sheds load says when to come back.
            Assert.True(responses.TryGetProperty("500", out var serverError), $"{httpMethod} {path} lacks 500.");
            Assert.Equal("#/components/schemas/ProblemDetails",
                serverError.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
            if (responses.TryGetProperty("503", out var unavailable) && unavailable.GetProperty("description").GetString()!.Contains("Retry-After", StringComparison.Ordinal))
            {
                Assert.True(unavailable.GetProperty("headers").TryGetProperty("Retry-After", out _), $"{httpMethod} {path}: its 503 lacks the Retry-After header.");
            }

            var access = function.Access;
            Assert.True(access == Access.Anonymous || responses.TryGetProperty("401", out _), $"{httpMethod} {path} lacks 401.");
            Assert.True(access != Access.Admin || responses.TryGetProperty("403", out _), $"{httpMethod} {path} lacks 403.");
            Assert.Equal(access != Access.Anonymous, operation.GetProperty("security").GetArrayLength() > 0);

            if (function.RequestBody is { } body)
            {
                var schema = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
                Assert.Equal($"#/components/schemas/{body.Name}", schema.GetProperty("$ref").GetString());
                Assert.True(responses.TryGetProperty("400", out _));
                Assert.True(responses.TryGetProperty("413", out _));
                Assert.True(responses.TryGetProperty("415", out _));
            }
            else
            {
                Assert.False(operation.TryGetProperty("requestBody", out _));
            }
        }
    }

    [Fact]
    public async Task The_document_has_every_http_function_and_nothing_else()
    {
        var document = await ServedDocument();
        var expected = HttpFunction.FindAll(App)
            .SelectMany(f => f.HttpMethods.Select(m => $"{m} {OpenApiDocumentFactory.PathOf(f.Route)}"))
            .Order(StringComparer.Ordinal);
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name} {p.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, documented);
    }

    [Fact]
    public async Task Microsoft_OpenApi_reads_the_document_back_with_no_errors_or_warnings()
    {
        await using var app = await TestApp.StartAsync();
        var json = (await app.Call(() => OpenApiFunctions.Document(app.Request("GET", "/api/openapi/v3.json")))).Body;

        var settings = new OpenApiReaderSettings();
        var result = OpenApiDocument.Parse(json, "json", settings);

        Assert.Empty(result.Diagnostic!.Errors.Select(e => e.ToString()));
        Assert.Empty(result.Diagnostic.Warnings.Select(e => e.ToString()));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, result.Diagnostic.SpecificationVersion);
        Assert.Equal("TicketFunctions", result.Document!.Info.Title);
        Assert.Equal("1.0.0", result.Document.Info.Version);
        Assert.NotEmpty(result.Document.Paths);
    }

    [Fact]
    public async Task Both_addresses_serve_the_document_with_a_relative_server_and_the_bearer_scheme()
    {
        await using var app = await TestApp.StartAsync();

        var v3 = await app.Call(() => OpenApiFunctions.Document(app.Request("GET", "/api/openapi/v3.json")));
        var swagger = await app.Call(() => OpenApiFunctions.SwaggerJson(app.Request("GET", "/api/swagger.json")));

        Assert.Equal(200, v3.Status);
        Assert.Equal("application/json; charset=utf-8", v3.ContentType);
        Assert.Equal(v3.Body, swagger.Body);
        Assert.StartsWith("3.1.", v3.Json.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("/api", v3.Json.GetProperty("servers")[0].GetProperty("url").GetString());
        var bearer = v3.Json.GetProperty("components").GetProperty("securitySchemes").GetProperty(OpenApiDocumentFactory.BearerScheme);
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal("JWT", bearer.GetProperty("bearerFormat").GetString());
    }

    [Fact]
    public async Task No_request_header_puts_another_host_into_the_document()
    {
        await using var app = await TestApp.StartAsync();
        var request = app.Request("GET", "/api/openapi/v3.json");
        request.Host = new Microsoft.AspNetCore.Http.HostString("evil.example");
        request.Headers["X-Forwarded-Proto"] = "https";
        request.Headers["X-Forwarded-Host"] = "evil.example";

        var response = await app.Call(() => OpenApiFunctions.Document(request));

        Assert.Equal("/api", response.Json.GetProperty("servers")[0].GetProperty("url").GetString());
        Assert.DoesNotContain("evil.example", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/auth/register", "post")]
    [InlineData("/auth/login", "post")]
    public async Task The_operations_that_shed_load_document_503_as_a_problem_with_Retry_After(string path, string method)
    {
        var unavailable = (await ServedDocument()).GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty("503");

        Assert.True(unavailable.GetProperty("headers").TryGetProperty("Retry-After", out _));
        var problem = unavailable.GetProperty("content").GetProperty("application/problem+json");
        Assert.Equal("#/components/schemas/ProblemDetails", problem.GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.6.4", problem.GetProperty("example").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Errors_are_problem_details_and_user_operations_document_401_with_the_bearer_requirement()
    {
        var me = (await ServedDocument()).GetProperty("paths").GetProperty("/auth/me").GetProperty("get");

        var unauthorized = me.GetProperty("responses").GetProperty("401");
        Assert.Equal("#/components/schemas/ProblemDetails",
            unauthorized.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(unauthorized.GetProperty("headers").TryGetProperty("WWW-Authenticate", out _));
        Assert.True(me.GetProperty("security")[0].TryGetProperty(OpenApiDocumentFactory.BearerScheme, out _));
        Assert.Equal(["Auth"], me.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Me", me.GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task Route_ids_are_positive_integers_and_paged_lists_take_page_and_page_size()
    {
        var document = await ServedDocument();
        foreach (var function in HttpFunction.FindAll(App))
        {
            foreach (var route in RoutePatternFactory.Parse(function.Route).Parameters.Where(r => r.ParameterPolicies.Any(p => p.Content is "int" or "long")))
            {
                var operation = document.GetProperty("paths").GetProperty(OpenApiDocumentFactory.PathOf(function.Route)).GetProperty(function.HttpMethods[0]);
                var schema = operation.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == route.Name).GetProperty("schema");
                Assert.Equal("integer", schema.GetProperty("type").GetString());
                Assert.Equal(1, schema.GetProperty("minimum").GetInt32());
            }
        }

        var built = OpenApiDocumentFactory.Build(typeof(SampleFunctions).Assembly, TicketFunctions.Common.Json.Options);
        var json = JsonDocument.Parse(await built.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1)).RootElement;
        var list = json.GetProperty("paths").GetProperty("/samples/{id}/items").GetProperty("get");
        var parameters = list.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal("int64", parameters["id"].GetProperty("schema").GetProperty("format").GetString());
        Assert.Equal(1, parameters["id"].GetProperty("schema").GetProperty("minimum").GetInt32());
        Assert.Equal(20, parameters["pageSize"].GetProperty("schema").GetProperty("default").GetInt32());
        Assert.Equal(100, parameters["pageSize"].GetProperty("schema").GetProperty("maximum").GetInt32());
        Assert.Equal(1, parameters["page"].GetProperty("schema").GetProperty("minimum").GetInt32());
        Assert.Equal("date", parameters["date"].GetProperty("schema").GetProperty("format").GetString());
        Assert.Equal("header", parameters["Idempotency-Key"].GetProperty("in").GetString());
        Assert.Equal("#/components/schemas/SampleItemPage",
            list.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(list.GetProperty("responses").TryGetProperty("403", out _));
        Assert.Equal("#/components/schemas/SampleItemResponse",
            json.GetProperty("components").GetProperty("schemas").GetProperty("SampleItemPage").GetProperty("properties").GetProperty("items").GetProperty("items").GetProperty("$ref").GetString());
    }

    [Fact]
    public async Task The_payment_read_names_every_failure_reason_the_app_records()
    {
        var document = await ServedDocument();
        var description = document.GetProperty("paths").GetProperty(OpenApiDocumentFactory.PathOf("payments/{id:long}")).GetProperty("get").GetProperty("description").GetString();
        var reasons = typeof(TicketFunctions.Payments.FailureReasons).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Contains("booking_cancelled", reasons);
        Assert.All(reasons, reason => Assert.Contains(reason, description, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_readmes_from_and_to_values_are_valid_per_the_document()
    {
        var document = await ServedDocument();
        var readme = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "README.md"));
        var sent = System.Text.RegularExpressions.Regex.Matches(readme, @"(?<path>/manage/[a-z/]+)\?[^""\s]*?\b(?<name>from|to)=(?<value>[^&""\s]+)")
            .Select(m => (Path: m.Groups["path"].Value, Name: m.Groups["name"].Value, Value: m.Groups["value"].Value)).ToList();

        Assert.NotEmpty(sent);
        foreach (var (path, name, value) in sent)
        {
            var schema = document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == name).GetProperty("schema");
            Assert.Matches(schema.GetProperty("pattern").GetString()!, value);
        }
    }

    internal static async Task<JsonElement> ServedDocument()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.Call(() => OpenApiFunctions.Document(app.Request("GET", "/api/openapi/v3.json")));
        Assert.Equal(200, response.Status);
        return response.Json.Clone();
    }
}
