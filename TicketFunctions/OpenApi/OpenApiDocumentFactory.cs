using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
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

    /// <summary>The JSON body it reads, from its <c>[Consumes(typeof(...), "application/json")]</c>; null if it reads none.</summary>
    public Type? RequestBody => (Method.GetCustomAttribute<ConsumesAttribute>() as IAcceptsMetadata)?.RequestType;
}

/// <summary>
/// Builds the OpenAPI 3 document from the functions themselves: routes from <c>[HttpTrigger]</c>, callers from
/// <c>[Access]</c>, the standard endpoint attributes, the Api* attributes for what the function reads itself, and
/// schemas from the System.Text.Json contract of the app's records (<see cref="JsonSchemas"/>).
/// </summary>
public static partial class OpenApiDocumentFactory
{
    public const string BearerScheme = "bearerAuth";
    public const string ProblemSchema = "ProblemDetails";
    public const string DocumentSchema = "OpenApiDocument";

    private static readonly int[] ProblemStatuses = [400, 401, 403, 404, 408, 409, 413, 415, 429, 500, 503];
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
          login example is the admin of local.settings.json.example.
        - The examples use id 1, which is right only on an empty database. Otherwise put in the ids your own calls answered
          (each `id` of a 201, or the end of its `Location`): your movie's and theatre's into `POST /showtimes` (`movieId`,
          `theatreId`), your showtime's into `POST /bookings` (`showtimeId`) and `/showtimes/{id}/seats`, your booking's into
          `POST /payments` (`bookingId`) and `/bookings/{id}`, and the payment's into `GET /payments/{id}`. Log in as the user
          who booked to pay: another user's booking answers 404.
        - `from` and `to` take a date (`2027-01-01`; as `to` it means the whole of that UTC day) or a date-time; a date-time
          without an offset is UTC.
        - JSON names are camelCase; unknown fields and wrongly typed values are rejected with 400.
        - Times are ISO 8601 in UTC with `Z`; money is a number with two decimals (12.50); ids are positive integers.
        - Errors are RFC 9457 problem details (`application/problem+json`); validation failures list the fields in `errors`.
        - Lists take `page` (from 1) and `pageSize` (1..100, default 20) and answer `{items, page, pageSize, totalCount}`.
        - Unknown ids and things that are not yours both answer 404. An id of 0 or below in a request body (such as showtimeId or
          bookingId) can name nothing and is a field error (400, listed in `errors`); in a path (`/movies/0`) it is an unknown id (404).
        """;

    // The problem every 4xx answers, with each extension the app writes typed; {types} becomes each status's type URI.
    private const string ProblemDetailsJson = """
        {"type": "object", "required": ["status", "title", "type"], "additionalProperties": true,
         "description": "An RFC 9457 problem. Validation failures (400) list the fields in errors; conflicts (409) carry a code, and some of them one more member that says what conflicts.",
         "properties": {"type": {"type": "string", "description": "A URI that names the kind of problem, one per status: {types}."},
           "title": {"type": "string"},
           "status": {"type": "integer", "format": "int32"}, "detail": {"type": "string"}, "instance": {"type": "string"},
           "errors": {"$ref": "#/components/schemas/ValidationErrors"},
           "code": {"type": "string", "description": "409 only: what conflicts, such as seats_taken (each operation's 409 lists its codes)."},
           "seats": {"type": "array", "items": {"type": "string"}, "description": "409 seats_taken only: the requested seats that are taken, in row order."},
           "availableSeats": {"type": "integer", "format": "int64", "description": "409 not_enough_seats only: how many seats of the showtime are free."},
           "conflictingShowtimeId": {"type": ["integer", "null"], "format": "int64", "description": "409 showtime_overlap only: the showtime that overlaps (null when it could not be named)."},
           "bookingStatus": {"allOf": [{"$ref": "#/components/schemas/BookingStatus"}], "description": "409 booking_not_payable and booking_not_cancellable only: the booking's status."},
           "invocationId": {"type": "string", "description": "500 only: the invocation to look for in the logs."}}}
        """;

    private const string ValidationErrorsJson = """
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
         "description": "400 only: the messages for each invalid field, keyed by its JSON name (seats[2] in a list; $ for the body as a whole)."}
        """;

    // What /openapi/v3.json answers: an OpenAPI 3 document, described by the members a client reads first.
    private const string OpenApiDocumentJson = """
        {"type": "object", "required": ["openapi", "info", "paths"], "additionalProperties": true,
         "description": "An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1): this API's description.",
         "properties": {"openapi": {"type": "string", "description": "The OpenAPI version, such as 3.1.2."},
           "info": {"type": "object", "required": ["title", "version"], "additionalProperties": true,
             "properties": {"title": {"type": "string"}, "version": {"type": "string"}, "description": {"type": "string"}}},
           "paths": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": true}, "description": "Each path with its operations."}}}
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
        var types = string.Join(", ", ProblemStatuses.Select(status => $"{status} {Problems.TypeFor(status)}"));
        document.Components.Schemas[ProblemSchema] = schemas.Parse(JsonNode.Parse(ProblemDetailsJson.Replace("{types}", types, StringComparison.Ordinal))!);
        document.Components.Schemas["ValidationErrors"] = schemas.Parse(JsonNode.Parse(ValidationErrorsJson)!);
        document.Components.Schemas[DocumentSchema] = schemas.Parse(JsonNode.Parse(OpenApiDocumentJson)!);

        foreach (var function in HttpFunction.FindAll(assembly).OrderBy(f => PathOf(f.Route), StringComparer.Ordinal))
        {
            var path = PathOf(function.Route);
            document.Paths.TryAdd(path, new OpenApiPathItem { Operations = [] });
            foreach (var method in function.HttpMethods)
            {
                document.Paths[path].Operations![HttpMethod.Parse(method)] = Operation(document, schemas, function, method);
            }
        }

        var tags = document.Paths.Values.SelectMany(p => p.Operations!.Values).SelectMany(o => o.Tags!).Select(t => t.Reference.Id!).Distinct().Order(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(tags.Select(t => new OpenApiTag { Name = t, Description = KnownTags.GetValueOrDefault(t, $"The {t} operations.") }));
        return document;
    }

    /// <summary>The OpenAPI path of a route template: <c>bookings/{id:long}/cancel</c> → <c>/bookings/{id}/cancel</c>.</summary>
    public static string PathOf(string route) => "/" + RouteParameterPattern().Replace(route.Trim('/'), m => "{" + m.Groups["name"].Value + "}");

    private static OpenApiOperation Operation(OpenApiDocument document, JsonSchemas schemas, HttpFunction function, string method)
    {
        var m = function.Method;
        var body = function.RequestBody;
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
            Tags = new HashSet<OpenApiTagReference>((m.GetCustomAttribute<TagsAttribute>()?.Tags ?? []).Select(t => new OpenApiTagReference(t, document))),
            Parameters = [.. Parameters(schemas, function)],
            Responses = [],
            Security = access == Access.Anonymous ? [] : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }],
        };
        if (body is not null)
        {
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = new Dictionary<string, IOpenApiMediaType> { [JsonMediaType] = new OpenApiMediaType { Schema = schemas.For(body) } } };
        }

        // Answers every operation of a kind can give, unless its own attributes describe them.
        var derived = new (int Status, string Description, bool Applies)[]
        {
            (400, "The body is not valid JSON for this operation, or a field is invalid (see errors).", body is not null),
            (400, "A query parameter is invalid (see errors).", body is null && operation.Parameters.Any(p => p.In == ParameterLocation.Query)),
            (408, "The body arrived too slowly.", body is not null),
            (413, $"The body is larger than {RequestBody.MaxBytes / 1024} KiB.", body is not null),
            (415, "The body is not sent as application/json.", body is not null),
            (401, "No bearer token, or it is invalid or expired.", access != Access.Anonymous),
            (403, "The token is not an Admin's.", access == Access.Admin),
            (404, "Not found, or not yours.", RouteParameterPattern().IsMatch(function.Route)),
            (500, "An unexpected error on the server: the problem names the invocationId to quote, and nothing of the error. "
                + "A request the Functions host cannot forward to the app (a header value that is not ASCII) gets the host's own 500 "
                + "with no body, after the host gives up waiting for it.", true),
        };
        var answers = m.GetCustomAttributes<ProducesResponseTypeAttribute>()
            .Select(r => (r.StatusCode, Type: r.Type == typeof(void) ? null : r.Type, r.Description))
            .Concat(derived.Where(d => d.Applies).Select(d => (StatusCode: d.Status, Type: (Type?)null, Description: (string?)d.Description)));
        IReadOnlyList<string> contentTypes = m.GetCustomAttribute<ProducesAttribute>()?.ContentTypes is { Count: > 0 } produced ? [.. produced] : [JsonMediaType];
        foreach (var (status, type, description) in answers.DistinctBy(a => a.StatusCode).OrderBy(a => a.StatusCode))
        {
            operation.Responses[status.ToString(CultureInfo.InvariantCulture)] = Response(document, schemas, status, type, description ?? ReasonPhrases.GetReasonPhrase(status) + ".", body, contentTypes);
        }

        return operation;
    }

    private static OpenApiResponse Response(OpenApiDocument document, JsonSchemas schemas, int status, Type? type, string description, Type? body, IReadOnlyList<string> contentTypes)
    {
        var response = new OpenApiResponse { Description = description };
        if (status >= 400 && type is null)
        {
            var example = JsonSerializer.SerializeToNode(ProblemExample(status, description, body, schemas.Options), schemas.Options);
            response.Content = new Dictionary<string, IOpenApiMediaType> { [Problems.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document), Example = example } };
        }
        else if (type is not null)
        {
            // A file's bytes are a binary string; this document is its own component.
            response.Content = contentTypes.ToDictionary(t => t, t => (IOpenApiMediaType)new OpenApiMediaType
            {
                Schema = type == typeof(OpenApiDocument) ? new OpenApiSchemaReference(DocumentSchema, document)
                    : type == typeof(byte[]) ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }
                    : schemas.For(type),
            });
        }

        var header = status switch
        {
            201 or 202 => ("Location", "The URL of the created resource."),
            401 => ("WWW-Authenticate", "Bearer, with the error when a token was sent."),
            429 => ("Retry-After", "Seconds to wait before trying again."),
            503 when description.Contains("Retry-After", StringComparison.Ordinal) => ("Retry-After", "Seconds to wait before trying again."),
            _ => default((string, string)?),
        };
        if (header is var (name, about))
        {
            response.Headers = new Dictionary<string, IOpenApiHeader> { [name] = new OpenApiHeader { Description = about, Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
        }

        return response;
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
            503 => Problems.ServiceUnavailable(description, TimeSpan.FromSeconds(5)),
            _ => Problems.Problem(status, ReasonPhrases.GetReasonPhrase(status) + ".", description),
        };
        return ((ObjectResult)(result is Problems.WithHeader withHeader ? withHeader.Inner : result)).Value!;
    }

    private static IEnumerable<IOpenApiParameter> Parameters(JsonSchemas schemas, HttpFunction function)
    {
        var method = function.Method;
        foreach (var name in RouteParameterPattern().Matches(function.Route).Select(m => m.Groups["name"].Value))
        {
            var bound = method.GetParameters().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.ParameterType ?? typeof(string);
            var id = bound == typeof(long) || bound == typeof(int);
            var schema = (OpenApiSchema)schemas.For(bound);

            // Ids are positive: the functions answer 404 for anything below 1. The example is the first one, as the body examples use.
            schema.Minimum = id ? "1" : null;
            yield return new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = schema, Example = id ? 1 : null };
        }

        // The query record's properties, each with its schema, rules and default: absent is the default, never null.
        if (method.GetCustomAttribute<ApiQueryAttribute>()?.Type is { } query)
        {
            var contract = schemas.Options.GetTypeInfo(query);
            var defaults = contract.CreateObject!();
            foreach (var (name, node) in schemas.PropertiesOf(query))
            {
                var schema = node!.AsObject();
                var property = contract.Properties.Single(p => p.Name == name);
                var description = schema["description"]?.GetValue<string>();
                schema.Remove("description");

                // A time is read by Query's own rule, wider than format date-time: declared as its pattern.
                if ((Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) == typeof(DateTime))
                {
                    schema = new JsonObject { ["type"] = "string", ["pattern"] = Query.InstantPattern };
                    description = $"{description} Takes {Query.InstantRule}.".TrimStart();
                }

                // A named enum (wrapped in allOf beside a description, in anyOf with null when nullable) is referenced as it is:
                // an absent parameter is the default, never null.
                var wrapped = (schema["allOf"] ?? schema["anyOf"]) as JsonArray;
                if ((wrapped?.FirstOrDefault(s => s?["$ref"] is not null) ?? (schema.ContainsKey("$ref") ? schema : null)) is { } reference)
                {
                    yield return new OpenApiParameter { Name = name, In = ParameterLocation.Query, Description = description, Schema = schemas.Parse(reference.DeepClone()) };
                    continue;
                }

                schema["type"] = (schema["type"] as JsonArray)?[0]?.GetValue<string>() ?? schema["type"]?.GetValue<string>();
                if (property.Get!(defaults) is { } value)
                {
                    schema["default"] = JsonSerializer.SerializeToNode(value, property.PropertyType, schemas.Options);
                }

                yield return new OpenApiParameter { Name = name, In = ParameterLocation.Query, Description = description, Schema = schemas.Parse(schema) };
            }
        }

        foreach (var header in method.GetCustomAttributes<ApiHeaderAttribute>())
        {
            var schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = header.MaxLength > 0 ? header.MaxLength : null, Pattern = header.Pattern };
            yield return new OpenApiParameter { Name = header.Name, In = ParameterLocation.Header, Description = header.Description, Schema = schema };
        }
    }

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameterPattern();

    [GeneratedRegex("^[a-z]+(_[a-z]+)+")]
    private static partial Regex CodePattern();
}
