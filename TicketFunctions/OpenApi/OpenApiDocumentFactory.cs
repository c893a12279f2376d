using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;
using TicketFunctions.Auth;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

/// <summary>An HTTP-triggered function as the host sees it: its name, method, HTTP methods and route.</summary>
public sealed record HttpFunction(string Name, MethodInfo Method, IReadOnlyList<string> HttpMethods, string Route)
{
    /// <summary>Every public <c>[Function]</c> method of the assembly whose parameter is an <c>[HttpTrigger]</c>.</summary>
    public static IReadOnlyList<HttpFunction> FindAll(Assembly assembly) =>
    [
        .. from type in assembly.GetTypes()
           where type.IsClass && !type.IsAbstract
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
           let function = method.GetCustomAttribute<FunctionAttribute>()
           let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)
           where function is not null && trigger is not null
           orderby trigger.Route, function.Name
           select new HttpFunction(
               function.Name,
               method,
               [.. (trigger.Methods is { Length: > 0 } methods ? methods : ["get", "post", "put", "delete", "patch"]).Select(m => m.ToLowerInvariant())],
               trigger.Route ?? function.Name),
    ];

    /// <summary>Who may call it: its <c>[Access]</c>, which every HTTP function must carry.</summary>
    public Access Access => Method.GetCustomAttribute<AccessAttribute>()?.Level
        ?? throw new InvalidOperationException($"The function {Name} has no [Access]: declare who may call it.");
}

/// <summary>A parameter of a route template: <c>{id:long}</c> is <c>id</c> with the constraint <c>long</c>.</summary>
public sealed record RouteParameter(string Name, string? Constraint);

/// <summary>
/// Builds the OpenAPI 3 document from the functions themselves: routes from <c>[HttpTrigger]</c>, callers from
/// <c>[Access]</c>, the standard endpoint attributes, the Api* attributes for what the function reads itself, and
/// schemas from the System.Text.Json contract of the app's records (<see cref="JsonSchemas"/>).
/// </summary>
public static partial class OpenApiDocumentFactory
{
    public const string BearerScheme = "bearerAuth";
    public const string ProblemSchema = "ProblemDetails";
    public const string JsonMediaType = "application/json";

    private static readonly Dictionary<string, string> KnownTags = new(StringComparer.Ordinal)
    {
        ["Auth"] = "Register, log in for a bearer token, and read the signed-in user.",
        ["Movies"] = "The movie catalog: reads are anonymous, writes need an Admin token.",
        ["Theatres"] = "Theatres and their seat layouts: reads are anonymous, writes need an Admin token.",
        ["Showtimes"] = "Showtimes and their seat maps: reads are anonymous, writes need an Admin token.",
        ["Bookings"] = "Hold seats for a showtime, list, read and cancel your bookings.",
        ["Payments"] = "Pay for a pending booking; payments are processed asynchronously from a queue.",
        ["Admin"] = "Back-office views of all bookings and sales reports (Admin token).",
        ["Operations"] = "Health and this API's own description.",
    };

    private const string Description = """
        The movie-ticket booking API of TicketFunctions.

        - Log in with `POST /auth/login`, then send `Authorization: Bearer <accessToken>` (the **Authorize** button). Locally, the
          login example is the admin of local.settings.json.example, and the other examples follow on from each other
          (movie 1, theatre 1, showtime 1, booking 1).
        - JSON names are camelCase; unknown fields and wrongly typed values are rejected with 400.
        - Times are ISO 8601 in UTC with `Z`; money is a number with two decimals (12.50); ids are positive integers.
        - Errors are RFC 9457 problem details (`application/problem+json`); validation failures list the fields in `errors`.
        - Lists take `page` (from 1) and `pageSize` (1..100, default 20) and answer `{items, page, pageSize, totalCount}`.
        - Unknown ids and things that are not yours both answer 404.
        """;

    private const string ProblemDetailsJson = """
        {"type": "object", "required": ["status", "title", "type"], "additionalProperties": true,
         "description": "An RFC 9457 problem. Validation failures (400) list the fields in errors; conflicts (409) carry a code.",
         "properties": {"type": {"type": "string", "description": "A URI that names the kind of problem."}, "title": {"type": "string"},
           "status": {"type": "integer", "format": "int32"}, "detail": {"type": "string"}, "instance": {"type": "string"},
           "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
             "description": "400 only: the messages for each invalid field, keyed by its JSON name or path."},
           "code": {"type": "string", "description": "409 only: what conflicts, such as seats_taken."}}}
        """;

    public static OpenApiDocument Build(Assembly assembly, JsonSerializerOptions options)
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo { Title = "TicketFunctions", Version = "1.0.0", Description = Description },

            // Relative: the page calls the app it came from, and no request header can put another host into the page.
            Servers = [new OpenApiServer { Url = "/api" }],
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BearerScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "The accessToken from POST /auth/login." },
                },
            },
        };
        var schemas = new JsonSchemas(document, options);
        document.Components.Schemas[ProblemSchema] = schemas.Parse(JsonNode.Parse(ProblemDetailsJson)!);

        foreach (var function in HttpFunction.FindAll(assembly).OrderBy(f => PathOf(f.Route), StringComparer.Ordinal))
        {
            var item = (OpenApiPathItem)(document.Paths.TryGetValue(PathOf(function.Route), out var found) ? found : document.Paths[PathOf(function.Route)] = new OpenApiPathItem { Operations = [] });
            foreach (var method in function.HttpMethods)
            {
                item.Operations![new HttpMethod(method.ToUpperInvariant())] = Operation(document, schemas, function, method);
            }
        }

        var tags = document.Paths.Values.SelectMany(p => p.Operations!.Values).SelectMany(o => o.Tags!).Select(t => t.Reference.Id!).Distinct().Order(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(tags.Select(t => new OpenApiTag { Name = t, Description = KnownTags.GetValueOrDefault(t, $"The {t} operations.") }));
        return document;
    }

    /// <summary>The OpenAPI path of a route template: <c>bookings/{id:long}/cancel</c> → <c>/bookings/{id}/cancel</c>.</summary>
    public static string PathOf(string route) => "/" + RouteParameterPattern().Replace(route.Trim('/'), m => "{" + m.Groups["name"].Value + "}");

    public static IReadOnlyList<RouteParameter> RouteParameters(string route) =>
        [.. RouteParameterPattern().Matches(route).Select(m => new RouteParameter(m.Groups["name"].Value, m.Groups["constraint"].Success ? m.Groups["constraint"].Value : null))];

    private static OpenApiOperation Operation(OpenApiDocument document, JsonSchemas schemas, HttpFunction function, string method)
    {
        var m = function.Method;
        var body = m.GetCustomAttribute<ApiRequestBodyAttribute>()?.Type;
        var access = function.Access;
        var operation = new OpenApiOperation
        {
            OperationId = function.HttpMethods.Count == 1 ? function.Name : function.Name + char.ToUpperInvariant(method[0]) + method[1..],
            Summary = m.GetCustomAttribute<EndpointSummaryAttribute>()?.Summary ?? function.Name,
            Description = string.Join("\n\n", new[] { m.GetCustomAttribute<EndpointDescriptionAttribute>()?.Description, access switch
            {
                Access.User => "Needs a bearer token.",
                Access.Admin => "Needs a bearer token of an Admin.",
                _ => null,
            } }.OfType<string>()),
            Tags = new HashSet<OpenApiTagReference>((m.GetCustomAttribute<TagsAttribute>()?.Tags ?? [m.DeclaringType!.Name.Replace("Functions", "", StringComparison.Ordinal)]).Select(t => new OpenApiTagReference(t, document))),
            Parameters = [.. Parameters(schemas, function)],
            Responses = [],
            Security = access == Access.Anonymous ? [] : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }],
        };
        if (body is not null)
        {
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = new Dictionary<string, IOpenApiMediaType> { [JsonMediaType] = new OpenApiMediaType { Schema = schemas.For(body) } } };
        }

        // Answers every operation of a kind can give, unless its own attributes describe them.
        var answers = m.GetCustomAttributes<ProducesResponseTypeAttribute>().Select(r => (r.StatusCode, Type: r.Type == typeof(void) ? null : r.Type, r.Description, m.GetCustomAttribute<ProducesAttribute>()?.ContentTypes.FirstOrDefault())).ToList();
        static (int, Type?, string?, string?) Derived(int status, string description) => (status, null, description, null);
        answers.AddRange(new (int, Type?, string?, string?)?[]
        {
            body is null ? null : Derived(400, "The body is not valid JSON for this operation, or a field is invalid (see errors)."),
            body is null && operation.Parameters.Any(p => p.In == ParameterLocation.Query) ? Derived(400, "A query parameter is invalid (see errors).") : null,
            body is null ? null : Derived(413, $"The body is larger than {RequestBody.MaxBytes / 1024} KiB."),
            body is null ? null : Derived(415, "The body is not sent as application/json."),
            access == Access.Anonymous ? null : Derived(401, "No bearer token, or it is invalid or expired."),
            access == Access.Admin ? Derived(403, "The token is not an Admin's.") : null,
            RouteParameters(function.Route).Count > 0 ? Derived(404, "Not found, or not yours.") : null,
        }.OfType<(int, Type?, string?, string?)>());

        foreach (var (status, type, description, contentType) in answers.OrderBy(a => a.Item1).DistinctBy(a => a.Item1))
        {
            var problem = status >= 400 && type is null;
            var response = new OpenApiResponse { Description = description ?? (ReasonPhrases.GetReasonPhrase(status) + ".") };
            if (problem || type is not null)
            {
                var media = new OpenApiMediaType
                {
                    Schema = problem ? new OpenApiSchemaReference(ProblemSchema, document) : schemas.For(type!),
                    Example = problem ? JsonSerializer.SerializeToNode(ProblemExample(status, response.Description, body, schemas.Options), schemas.Options) : null,
                };
                response.Content = new Dictionary<string, IOpenApiMediaType> { [problem ? Problems.ContentType : contentType ?? JsonMediaType] = media };
            }

            var header = status switch
            {
                201 or 202 => ("Location", "The URL of the created resource."),
                401 => ("WWW-Authenticate", "Bearer, with the error when a token was sent."),
                429 => ("Retry-After", "Seconds to wait before trying again."),
                _ => default((string, string)?),
            };
            if (header is var (name, about))
            {
                response.Headers = new Dictionary<string, IOpenApiHeader> { [name] = new OpenApiHeader { Description = about, Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
            }

            operation.Responses[status.ToString(CultureInfo.InvariantCulture)] = response;
        }

        return operation;
    }

    /// <summary>The problem an answer's example shows, made by the same helper that makes the real ones.</summary>
    private static object ProblemExample(int status, string description, Type? body, JsonSerializerOptions options)
    {
        var field = body is null ? "page" : options.GetTypeInfo(body).Properties[0].Name;
        var code = CodePattern().Match(description);
        var result = status switch
        {
            400 => Problems.Validation(field, "The value is not valid."),
            401 => Problems.Unauthorized("No bearer token was sent.", error: null),
            403 => Problems.Forbidden(description),
            404 => Problems.NotFound(description),
            409 when code.Success => Problems.Conflict(code.Value, description),
            413 => Problems.PayloadTooLarge(RequestBody.MaxBytes),
            415 => Problems.UnsupportedMediaType(),
            429 => Problems.TooManyRequests(description, TimeSpan.FromMinutes(1)),
            _ => Problems.Problem(status, ReasonPhrases.GetReasonPhrase(status) + ".", description),
        };
        return ((ObjectResult)(result is Problems.WithHeader withHeader ? withHeader.Inner : result)).Value!;
    }

    private static IEnumerable<IOpenApiParameter> Parameters(JsonSchemas schemas, HttpFunction function)
    {
        var method = function.Method;
        foreach (var route in RouteParameters(function.Route))
        {
            var bound = method.GetParameters().FirstOrDefault(p => string.Equals(p.Name, route.Name, StringComparison.OrdinalIgnoreCase))?.ParameterType ?? typeof(string);
            var id = route.Constraint?.Split(':', '(')[0] is "int" or "long" || bound == typeof(long) || bound == typeof(int);

            // Ids are positive: the functions answer 404 for anything below 1. The example is the first one, as the body examples use.
            yield return new OpenApiParameter
            {
                Name = route.Name,
                In = ParameterLocation.Path,
                Required = true,
                Schema = id ? new OpenApiSchema { Type = JsonSchemaType.Integer, Format = bound == typeof(int) ? "int32" : "int64", Minimum = "1" } : schemas.For(bound),
                Example = id ? 1 : null,
            };
        }

        foreach (var query in method.GetCustomAttributes<ApiQueryAttribute>())
        {
            var schema = (OpenApiSchema)schemas.For(Nullable.GetUnderlyingType(query.Type) ?? query.Type);
            schema.Enum = query.OneOf is null ? null : [.. OneOfAttribute.Of(query.OneOf).Select(v => (JsonNode)v)];
            yield return new OpenApiParameter { Name = query.Name, In = ParameterLocation.Query, Description = query.Description, Schema = schema };
        }

        if (method.GetCustomAttribute<ApiPagedAttribute>() is not null)
        {
            yield return new OpenApiParameter { Name = "page", In = ParameterLocation.Query, Description = "The page number, from 1.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "1000000", Default = 1 } };
            yield return new OpenApiParameter
            {
                Name = "pageSize",
                In = ParameterLocation.Query,
                Description = "Items per page.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = Paging.MaxPageSize.ToString(CultureInfo.InvariantCulture), Default = Paging.DefaultPageSize },
            };
        }

        foreach (var header in method.GetCustomAttributes<ApiHeaderAttribute>())
        {
            var schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = header.MaxLength > 0 ? header.MaxLength : null, Pattern = header.Pattern };
            yield return new OpenApiParameter { Name = header.Name, In = ParameterLocation.Header, Description = header.Description, Schema = schema };
        }
    }

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?<constraint>[^}=?]+))?(?:=[^}]*)?\??\}")]
    private static partial Regex RouteParameterPattern();

    [GeneratedRegex("^[a-z]+(_[a-z]+)+")]
    private static partial Regex CodePattern();
}
