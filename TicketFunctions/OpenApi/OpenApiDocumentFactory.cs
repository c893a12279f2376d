using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;
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
}

/// <summary>A parameter of a route template: <c>{id:long}</c> is <c>id</c> with the constraint <c>long</c>.</summary>
public sealed record RouteParameter(string Name, string? Constraint);

/// <summary>
/// Builds the OpenAPI 3 document from the functions themselves: routes and methods from <c>[HttpTrigger]</c>,
/// the rest from the Api* annotations, schemas from the System.Text.Json contract of the app's records.
/// </summary>
public static partial class OpenApiDocumentFactory
{
    public const string BearerScheme = "bearerAuth";
    public const string ProblemSchema = "ProblemDetails";
    public const string JsonMediaType = "application/json";

    private static readonly Dictionary<string, string> KnownTags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Auth"] = "Register, log in for a bearer token, and read the signed-in user.",
        ["Catalog"] = "Movies, theatres and showtimes: reads are anonymous, writes need an Admin token.",
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

        - Log in with `POST /auth/login`, then send `Authorization: Bearer <accessToken>` (the **Authorize** button).
        - JSON names are camelCase; unknown fields and wrongly typed values are rejected with 400.
        - Times are ISO 8601 in UTC with `Z`; money is a number with two decimals (12.50); ids are positive integers.
        - Errors are RFC 9457 problem details (`application/problem+json`); validation failures list the fields in `errors`.
        - Lists take `page` (from 1) and `pageSize` (1..100, default 20) and answer `{items, page, pageSize, totalCount}`.
        - Unknown ids and things that are not yours both answer 404.
        """;

    public static OpenApiDocument Build(Assembly assembly, JsonSerializerOptions options)
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo { Title = "TicketFunctions", Version = "1.0.0", Description = Description },
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BearerScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "The accessToken from POST /auth/login.",
                    },
                },
            },
        };
        document.Components.Schemas[ProblemSchema] = ProblemDetailsSchema();

        // A copy with the reflection resolver, so that reading contracts never freezes or changes the caller's options.
        var schemas = new JsonSchemas(document, new JsonSerializerOptions(options) { TypeInfoResolver = options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver() });

        var functions = HttpFunction.FindAll(assembly);
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var function in functions.OrderBy(f => PathOf(f.Route), StringComparer.Ordinal))
        {
            var path = PathOf(function.Route);
            if (!document.Paths.TryGetValue(path, out var item))
            {
                item = new OpenApiPathItem { Operations = [] };
                document.Paths[path] = item;
            }

            foreach (var method in function.HttpMethods)
            {
                var operation = Operation(document, schemas, function, method);
                tags.UnionWith(operation.Tags?.Select(t => t.Reference.Id!) ?? []);
                ((OpenApiPathItem)item).Operations![new HttpMethod(method.ToUpperInvariant())] = operation;
            }
        }

        document.Tags = new HashSet<OpenApiTag>(tags.Select(t => new OpenApiTag
        {
            Name = t,
            Description = KnownTags.TryGetValue(t, out var description) ? description : $"The {t} operations.",
        }));
        return document;
    }

    /// <summary>The OpenAPI path of a route template: <c>bookings/{id:long}/cancel</c> → <c>/bookings/{id}/cancel</c>.</summary>
    public static string PathOf(string route) => "/" + RouteParameterPattern().Replace(route.Trim('/'), m => "{" + m.Groups["name"].Value + "}");

    public static IReadOnlyList<RouteParameter> RouteParameters(string route) =>
    [
        .. RouteParameterPattern().Matches(route).Select(m => new RouteParameter(
            m.Groups["name"].Value,
            m.Groups["constraint"].Success ? m.Groups["constraint"].Value : null)),
    ];

    private static OpenApiOperation Operation(OpenApiDocument document, JsonSchemas schemas, HttpFunction function, string method)
    {
        var method_ = function.Method;
        var about = method_.GetCustomAttribute<ApiOperationAttribute>();
        var body = method_.GetCustomAttribute<ApiRequestBodyAttribute>();
        var access = about?.Access ?? ApiAccess.Anonymous;
        var tag = about?.Tag ?? function.Method.DeclaringType!.Name.Replace("Functions", "", StringComparison.Ordinal);

        var operation = new OpenApiOperation
        {
            OperationId = function.HttpMethods.Count == 1 ? function.Name : function.Name + char.ToUpperInvariant(method[0]) + method[1..],
            Summary = about?.Summary ?? function.Name,
            Description = Join(about?.Description, access switch
            {
                ApiAccess.User => "Needs a bearer token.",
                ApiAccess.Admin => "Needs a bearer token of an Admin.",
                _ => null,
            }),
            Tags = new HashSet<OpenApiTagReference> { new(tag, document) },
            Parameters = [.. Parameters(schemas, function)],
            Responses = [],
            Security = access == ApiAccess.Anonymous
                ? []
                : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }],
        };

        if (body is not null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [JsonMediaType] = new OpenApiMediaType { Schema = schemas.For(body.Type) },
                },
            };
        }

        foreach (var response in method_.GetCustomAttributes<ApiResponseAttribute>().OrderBy(r => r.Status))
        {
            operation.Responses[Code(response.Status)] = response.Status >= 400 && response.Type is null
                ? Problem(document, response.Status, response.Description)
                : Success(schemas, response);
        }

        // Answers every operation of a kind can give, unless its annotations already describe them.
        var derived = new List<(int Status, string Description)>();
        var hasQuery = operation.Parameters.Any(p => p.In == ParameterLocation.Query);
        if (body is not null)
        {
            derived.Add((400, "The body is not valid JSON for this operation, or a field is invalid (see errors)."));
            derived.Add((413, $"The body is larger than {RequestBody.MaxBytes / 1024} KiB."));
            derived.Add((415, "The body is not sent as application/json."));
        }
        else if (hasQuery)
        {
            derived.Add((400, "A query parameter is invalid (see errors)."));
        }

        if (access != ApiAccess.Anonymous)
        {
            derived.Add((401, "No bearer token, or it is invalid or expired."));
        }

        if (access == ApiAccess.Admin)
        {
            derived.Add((403, "The token is not an Admin's."));
        }

        if (RouteParameters(function.Route).Count > 0)
        {
            derived.Add((404, "Not found, or not yours."));
        }

        foreach (var (status, description) in derived)
        {
            operation.Responses.TryAdd(Code(status), Problem(document, status, description));
        }

        operation.Responses = Sorted(operation.Responses);
        return operation;
    }

    private static IEnumerable<IOpenApiParameter> Parameters(JsonSchemas schemas, HttpFunction function)
    {
        var method = function.Method;
        foreach (var route in RouteParameters(function.Route))
        {
            var bound = method.GetParameters().FirstOrDefault(p => string.Equals(p.Name, route.Name, StringComparison.OrdinalIgnoreCase));
            yield return new OpenApiParameter
            {
                Name = route.Name,
                In = ParameterLocation.Path,
                Required = true,
                Schema = RouteSchema(schemas, route, bound?.ParameterType),
            };
        }

        foreach (var query in method.GetCustomAttributes<ApiQueryAttribute>())
        {
            yield return new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Required = query.Required,
                Description = query.Description,
                Schema = Unwrapped(schemas.For(Nullable.GetUnderlyingType(query.Type) ?? query.Type)),
            };
        }

        if (method.GetCustomAttribute<ApiPagedAttribute>() is not null)
        {
            yield return new OpenApiParameter
            {
                Name = "page",
                In = ParameterLocation.Query,
                Description = "The page number, from 1.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "1000000", Default = 1 },
            };
            yield return new OpenApiParameter
            {
                Name = "pageSize",
                In = ParameterLocation.Query,
                Description = "Items per page.",
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Minimum = "1",
                    Maximum = Paging.MaxPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Default = Paging.DefaultPageSize,
                },
            };
        }

        foreach (var header in method.GetCustomAttributes<ApiHeaderAttribute>())
        {
            yield return new OpenApiParameter
            {
                Name = header.Name,
                In = ParameterLocation.Header,
                Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
            };
        }
    }

    private static IOpenApiSchema RouteSchema(JsonSchemas schemas, RouteParameter route, Type? bound)
    {
        var constraint = route.Constraint?.Split(':')[0].Split('(')[0];
        var format = constraint switch
        {
            "int" => "int32",
            "long" => "int64",
            _ when bound == typeof(int) => "int32",
            _ when bound == typeof(long) => "int64",
            _ => null,
        };

        // Ids are positive: the functions answer 404 for anything below 1.
        return format is null
            ? Unwrapped(schemas.For(bound ?? typeof(string)))
            : new OpenApiSchema { Type = JsonSchemaType.Integer, Format = format, Minimum = "1" };
    }

    /// <summary>Query and route values are never null: they are absent or present.</summary>
    private static IOpenApiSchema Unwrapped(IOpenApiSchema schema)
    {
        if (schema is OpenApiSchema { Type: { } type } inline && type.HasFlag(JsonSchemaType.Null))
        {
            inline.Type = type & ~JsonSchemaType.Null;
        }

        return schema;
    }

    private static OpenApiResponse Success(JsonSchemas schemas, ApiResponseAttribute response)
    {
        var answer = new OpenApiResponse { Description = response.Description ?? Reason(response.Status) };
        if (response.Type is not null || response.ContentType is not null)
        {
            answer.Content = new Dictionary<string, IOpenApiMediaType>
            {
                [response.ContentType ?? JsonMediaType] = new OpenApiMediaType
                {
                    Schema = response.Type is null ? new OpenApiSchema { Type = JsonSchemaType.String } : schemas.For(response.Type),
                },
            };
        }

        if (response.Status is 201 or 202)
        {
            answer.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Location"] = new OpenApiHeader
                {
                    Description = "The URL of the created resource.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            };
        }

        return answer;
    }

    private static OpenApiResponse Problem(OpenApiDocument document, int status, string? description)
    {
        var answer = new OpenApiResponse
        {
            Description = description ?? Reason(status),
            Content = new Dictionary<string, IOpenApiMediaType>
            {
                [Problems.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
        if (status == 401)
        {
            answer.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["WWW-Authenticate"] = new OpenApiHeader
                {
                    Description = "Bearer, with the error when a token was sent.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            };
        }

        return answer;
    }

    private static OpenApiSchema ProblemDetailsSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem. Validation failures (400) list the fields in errors; conflicts (409) carry a code.",
        Required = new SortedSet<string>(StringComparer.Ordinal) { "status", "title", "type" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI that names the kind of problem." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "400 only: the messages for each invalid field, keyed by its JSON name or path.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "409 only: what conflicts, such as seat_taken." },
        },
        AdditionalPropertiesAllowed = true,
    };

    private static OpenApiResponses Sorted(OpenApiResponses responses)
    {
        var sorted = new OpenApiResponses();
        foreach (var (code, response) in responses.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            sorted[code] = response;
        }

        return sorted;
    }

    private static string Code(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Reason(int status) => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "Status " + status + ".";

    private static string? Join(string? first, string? second) => (first, second) switch
    {
        (null, _) => second,
        (_, null) => first,
        _ => first + "\n\n" + second,
    };

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?<constraint>[^}=?]+))?(?:=[^}]*)?\??\}")]
    private static partial Regex RouteParameterPattern();
}
