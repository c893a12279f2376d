using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TicketFunctions.Auth;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Tests.Security;

/// <summary>One generated request: what to send, and whether its route template can match at all.</summary>
public sealed record HostileRequest(string Function, string Method, string Path, string? Token, byte[]? Body, string? ContentType, bool Chunked, string Kind)
{
    /// <summary>More request headers, such as an Idempotency-Key.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>False when a route value breaks the template's constraint: the host, not the function, answers (404).</summary>
    public bool RouteMatches { get; init; } = true;

    public override string ToString() => $"{Function} {Method.ToUpperInvariant()} {(Path.Length > 120 ? Path[..120] + "..." : Path)} [{Kind}]";
}

/// <summary>What came back: status, media type, body, and the WWW-Authenticate header.</summary>
public sealed record HostileAnswer(int Status, string? MediaType, string Body, string WwwAuthenticate);

/// <summary>Valid route values and tokens to aim the generated requests at.</summary>
public sealed record HostileTargets(string UserToken, string AdminToken, IReadOnlyDictionary<string, string> IdsByRoutePrefix);

/// <summary>
/// Generates hostile requests for every HTTP function found by reflection (as the OpenAPI document does): bad route
/// values, bad query values for every documented query parameter, and bad bodies for every documented request body,
/// mutated field by field from a valid body built from the request type itself. A new function is covered as it is.
/// </summary>
public static class HostileRequests
{
    private static readonly Assembly App = typeof(TicketFunctionsServices).Assembly;

    // "01" and "+1" pass the route's long constraint but not the worker's conversion of the value to the parameter.
    private static readonly string[] BadIds = ["0", "-1", "9223372036854775807", "987654321", "01", "+1", "0999"];

    private static readonly string[] UnmatchableIds = ["abc", "1.5", "99999999999999999999", "1%27%20OR%201=1--", "1;DROP%20TABLE%20bookings", "%00", "%F0%9F%8E%AC"];

    private static readonly string[] BadFiles = ["..%2F..%2Fappsettings.json", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "swagger-ui.css%00.js", "'%20OR%201=1--", "x.js%3Bselect%201", "%C3%28"];

    private static readonly string[] Strings =
    [
        "' OR '1'='1", "'); DROP TABLE users; --", "1 UNION SELECT password_hash FROM users", "%_\\", "名前 🎬 ünïcödé", "\u202Eevil\u200B",
        "\u0000\u0007\u001b[31m", "line\nbreak\r\n", "   ", "", "<script>alert(1)</script>", new string('x', 5_000), "2026-13-45",
        "2026-12-01T18:30:00", "BOGUS",
    ];

    // Query values; a 10^5-character value would exceed Kestrel's request line limit (8 KiB) and never reach a function.
    private static readonly string[] QueryValues =
    [
        .. Strings.Where(s => s.Length < 1000), "%", "_", "null", "true", "-1", "0", "1e400", "-9223372036854775809", "99999999999999999999", "1.5", "1e10", "0x10", "+5", " 5", "9999-12-31",
        "0001-01-01", "2026-02-30", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "2026-12-01T18:30:00+99:00", "pending", "PENDING", new string('9', 400),
    ];

    private static readonly JsonNode?[] JsonValues =
    [
        null, JsonValue.Create(true), JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(1.5), JsonValue.Create(1e-7),
        JsonValue.Create(long.MaxValue), JsonValue.Create(long.MinValue), JsonValue.Create(decimal.MaxValue), JsonValue.Create(int.MinValue),
        new JsonObject(), new JsonArray(), new JsonArray(JsonValue.Create("A1"), null, JsonValue.Create(5)),
        .. Strings.Select(s => (JsonNode?)JsonValue.Create(s)),
        JsonValue.Create(new string('x', 100_000)), JsonValue.Create(new string('é', 20_000)),
        JsonValue.Create("0001-01-01T00:00:00+14:00"), JsonValue.Create("9999-12-31T23:59:59-14:00"), JsonValue.Create("tok_visa"),
    ];

    // Raw JSON texts that JsonNode cannot hold: numbers beyond every .NET type, and invalid escapes.
    private static readonly string[] RawValues = ["1e400", "-1e400", "9223372036854775808", "79228162514264337593543950336", "1.0000000000000000000000000001", "\"\\ud800\"", "NaN", "0123"];

    private static readonly string[] ExtraFields = ["role", "status", "userId", "unitPrice", "totalPrice", "id", "amount", "isAdmin", "__proto__"];

    public static IReadOnlyList<HttpFunction> Functions => HttpFunction.FindAll(App);

    public static List<HostileRequest> For(HostileTargets targets)
    {
        var requests = new List<HostileRequest>();
        foreach (var valid in Valid(targets))
        {
            var function = Functions.Single(f => f.Name == valid.Function);
            requests.Add(valid);
            requests.AddRange(RouteVariants(function, valid));
            requests.AddRange(QueryVariants(function, valid));
            requests.AddRange(HeaderVariants(function, valid));
            if (valid.Body is not null)
            {
                requests.AddRange(BodyVariants(valid, JsonNode.Parse(valid.Body)!.AsObject()));
            }
        }

        return requests;
    }

    /// <summary>One well-formed request per function and method, with the token its access level needs.</summary>
    public static List<HostileRequest> Valid(HostileTargets targets)
    {
        var requests = new List<HostileRequest>();
        foreach (var function in Functions)
        {
            var token = function.Access switch
            {
                Access.Admin => targets.AdminToken,
                Access.User => targets.UserToken,
                _ => null,
            };
            var bodyType = function.RequestBody;
            var baseline = bodyType is null ? null : Aim(Baseline(bodyType), targets);
            foreach (var method in function.HttpMethods)
            {
                requests.Add(new HostileRequest(
                    function.Name, method, ValidPath(function.Route, targets), token,
                    baseline is null ? null : Utf8(baseline.ToJsonString()), baseline is null ? null : "application/json", false, "baseline"));
            }
        }

        return requests;
    }

    /// <summary>
    /// Sends the request; <paramref name="authorization"/>, when given, is the raw Authorization header instead of the
    /// request's own bearer token ("" sends none).
    /// </summary>
    public static async Task<HostileAnswer> SendAsync(HttpClient client, HostileRequest request, string? authorization = null)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method.ToUpperInvariant()), request.Path);
        var header = authorization ?? (request.Token is null ? "" : "Bearer " + request.Token);
        if (header.Length > 0)
        {
            message.Headers.TryAddWithoutValidation("Authorization", header);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }

            if (request.Chunked)
            {
                message.Headers.TransferEncodingChunked = true;
            }
        }

        try
        {
            using var response = await client.SendAsync(message);
            return new HostileAnswer(
                (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
                string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
        }
        catch (HttpRequestException e) when (request.Body is { Length: > 64 * 1024 })
        {
            // The server may answer 413 and close the connection before a large body has been sent.
            return new HostileAnswer(413, "application/problem+json", $"{{\"status\":413,\"title\":\"{e.GetType().Name}\",\"type\":\"\"}}", "");
        }
    }

    /// <summary>A valid JSON body for a request type, built from its properties; known types get values that pass validation.</summary>
    public static JsonObject Baseline(Type type)
    {
        var body = new JsonObject();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            body[name] = (type.Name, name) switch
            {
                ("RegisterRequest", "email") => "hostile-register@example.com",
                ("RegisterRequest" or "LoginRequest", "password") => "Password-123",
                ("LoginRequest", "email") => "hostile-login@example.com",
                ("TheatreRequest", "seatRows") => 3,
                ("TheatreRequest", "seatsPerRow") => 4,
                ("MovieRequest", "durationMinutes") => 90,
                ("CreatePaymentRequest", "paymentToken") => "tok_visa",
                ("BookingRequest", "seatCount") => null,
                ("BookingRequest", "seats") => new JsonArray("A1"),
                (_, "showtimeId") => Id(property, "showtimes"),
                (_, "bookingId") => Id(property, "bookings"),
                (_, "movieId") => Id(property, "movies"),
                (_, "theatreId") => Id(property, "theatres"),
                _ => Sample(property.PropertyType),
            };
        }

        return body;

        static JsonNode? Id(PropertyInfo property, string prefix) => JsonValue.Create("@" + prefix);
    }

    /// <summary>Replaces the "@prefix" id placeholders of a baseline body with the targets' ids.</summary>
    public static JsonObject Aim(JsonObject body, HostileTargets targets)
    {
        var aimed = body.DeepClone().AsObject();
        foreach (var (name, value) in body)
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var text) && text.StartsWith('@'))
            {
                aimed[name] = long.Parse(targets.IdsByRoutePrefix[text[1..]], CultureInfo.InvariantCulture);
            }
        }

        return aimed;
    }

    private static JsonNode? Sample(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "Hostile sample",
            _ when type == typeof(int) || type == typeof(long) => 1,
            _ when type == typeof(decimal) => 9.99m,
            _ when type == typeof(bool) => true,
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => DateTime.UtcNow.AddDays(400).ToString("yyyy-MM-dd'T'HH:mm:00'Z'", CultureInfo.InvariantCulture),
            _ when type == typeof(DateOnly) => "2024-05-17",
            _ when type.IsEnum => JsonNamingPolicy.CamelCase.ConvertName(Enum.GetNames(type)[0]),
            _ when typeof(System.Collections.IEnumerable).IsAssignableFrom(type) => new JsonArray(),
            _ => new JsonObject(),
        };
    }

    private static string ValidPath(string route, HostileTargets targets)
        => "api/" + string.Join('/', route.Split('/').Select(segment => segment.StartsWith('{')
            ? ValidValue(route, segment, targets)
            : segment));

    private static string ValidValue(string route, string segment, HostileTargets targets)
    {
        var prefix = route.StartsWith("manage/", StringComparison.Ordinal) ? route.Split('/')[1] : route.Split('/')[0];
        return segment.StartsWith("{file", StringComparison.Ordinal) ? "swagger-ui.css" : targets.IdsByRoutePrefix[prefix];
    }

    private static IEnumerable<HostileRequest> RouteVariants(HttpFunction function, HostileRequest valid)
    {
        var segments = function.Route.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (!segments[i].StartsWith('{'))
            {
                continue;
            }

            var isFile = segments[i].StartsWith("{file", StringComparison.Ordinal);
            var constrained = segments[i].Contains(':', StringComparison.Ordinal);
            // Kestrel itself refuses a path with a NUL byte (400), so such a request never reaches routing.
            foreach (var value in isFile ? BadFiles : BadIds)
            {
                yield return valid with { Path = Replace(valid.Path, i, value), Kind = $"route {segments[i]}={value}", RouteMatches = !value.Contains("%00", StringComparison.Ordinal) };
            }

            foreach (var value in UnmatchableIds)
            {
                yield return valid with { Path = Replace(valid.Path, i, value), Kind = $"route {segments[i]}={value}", RouteMatches = !constrained && !value.Contains("%00", StringComparison.Ordinal) };
            }
        }

        static string Replace(string path, int index, string value)
        {
            var parts = path.Split('/');
            parts[index + 1] = value;
            return string.Join('/', parts);
        }
    }

    /// <summary>The query parameters a function reads: the JSON names of its query record's properties.</summary>
    public static IReadOnlyList<string> QueryParameters(HttpFunction function)
        => function.Method.GetCustomAttribute<ApiQueryAttribute>()?.Type is { } query
            ? [.. TicketFunctions.Common.Json.Options.GetTypeInfo(query).Properties.Where(p => p.Set is not null).Select(p => p.Name)]
            : [];

    private static IEnumerable<HostileRequest> QueryVariants(HttpFunction function, HostileRequest valid)
    {
        var names = QueryParameters(function);
        if (names.Count == 0)
        {
            // An unknown parameter is ignored, whatever it holds.
            foreach (var value in new[] { "' OR 1=1 --", "名前\u0000", new string('%', 2_000) })
            {
                yield return valid with { Path = $"{valid.Path}?unknown={Uri.EscapeDataString(value)}", Kind = "query unknown" };
            }

            yield break;
        }

        foreach (var name in names)
        {
            foreach (var value in QueryValues)
            {
                yield return valid with { Path = $"{valid.Path}?{name}={Uri.EscapeDataString(value)}", Kind = $"query {name}" };
            }

            yield return valid with { Path = $"{valid.Path}?{name}=1&{name}=2", Kind = $"query {name} twice" };
        }

        yield return valid with { Path = valid.Path + "?" + string.Join('&', names.Select(n => $"{n}={Uri.EscapeDataString("' OR 1=1 --")}")), Kind = "query all SQL" };
    }

    private static IEnumerable<HostileRequest> HeaderVariants(HttpFunction function, HostileRequest valid)
    {
        foreach (var header in function.Method.GetCustomAttributes<ApiHeaderAttribute>())
        {
            foreach (var value in new[] { "", "   ", new string('k', 101), new string('k', 4_000), "key with spaces", "' OR 1=1 --", "%00", "k\tk", "hostile-key" })
            {
                yield return valid with { Headers = [new(header.Name, value)], Kind = $"header {header.Name}" };
            }

            yield return valid with { Headers = [new(header.Name, "one"), new(header.Name, "two")], Kind = $"header {header.Name} twice" };
        }
    }

    private static IEnumerable<HostileRequest> BodyVariants(HostileRequest valid, JsonObject baseline)
    {
        var text = baseline.ToJsonString();
        foreach (var (name, _) in baseline)
        {
            var missing = baseline.DeepClone().AsObject();
            missing.Remove(name);
            yield return Json(valid, missing.ToJsonString(), $"body {name} missing");

            foreach (var value in JsonValues)
            {
                var changed = baseline.DeepClone().AsObject();
                changed[name] = value?.DeepClone();
                yield return Json(valid, changed.ToJsonString(), $"body {name}={Describe(value)}");
            }

            foreach (var raw in RawValues)
            {
                var changed = baseline.DeepClone().AsObject();
                changed[name] = "\u0001";
                yield return Json(valid, changed.ToJsonString().Replace("\"\\u0001\"", raw, StringComparison.Ordinal), $"body {name}={raw}");
            }
        }

        foreach (var extra in ExtraFields)
        {
            var changed = baseline.DeepClone().AsObject();
            changed[extra] = extra is "role" ? "Admin" : extra is "status" ? "CONFIRMED" : 1;
            yield return Json(valid, changed.ToJsonString(), $"body extra {extra}");
        }

        var first = baseline.First().Key;
        foreach (var (body, kind) in new (string, string)[]
        {
            ("", "empty body"), ("null", "null"), ("[]", "array"), ("42", "number"), ("\"text\"", "string"), ("{", "open brace"), ("}{", "reversed braces"),
            (text[..(text.Length / 4)], "truncated 1/4"), (text[..(text.Length / 2)], "truncated 1/2"), (text[..^1], "truncated last byte"),
            (text + " trailing", "trailing garbage"), (text + text, "two objects"), ("{" + $"\"{first}\":1," + text[1..], "duplicate property"),
            (text.Replace("\"", "'", StringComparison.Ordinal), "single quotes"), ("/* comment */" + text, "comment"), (text.Replace(",", ",,", StringComparison.Ordinal), "double commas"),
            (new string('[', 5_000) + new string(']', 5_000), "deep nesting"), ("{\"a\":" + new string('{', 200) + new string('}', 200) + "}", "deep object"),
        })
        {
            yield return Json(valid, body, kind);
        }

        yield return valid with { Body = [0xEF, 0xBB, 0xBF, .. Utf8(text)], Kind = "byte order mark" };
        yield return valid with { Body = [.. Utf8(text[..^1]), 0xC3, 0x28, (byte)'}'], Kind = "invalid UTF-8" };
        yield return valid with { Body = [.. Utf8("{\""), 0xFF, 0xFE, .. Utf8("\":1}")], Kind = "invalid UTF-8 name" };

        foreach (var contentType in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/jsonp", "" })
        {
            yield return valid with { ContentType = contentType.Length == 0 ? null : contentType, Kind = $"content type '{contentType}'" };
        }

        var big = Utf8("{\"" + first + "\":\"" + new string('x', 70 * 1024) + "\"}");
        yield return valid with { Body = big, Kind = "70 KiB body" };
        yield return valid with { Body = big, Chunked = true, Kind = "70 KiB body, chunked" };
        yield return valid with { Body = Utf8(new string(' ', 65 * 1024) + text), Kind = "65 KiB of whitespace" };
        yield return valid with { Body = Utf8("{\"" + first + "\":[" + string.Join(',', Enumerable.Repeat("1", 400_000)) + "]}"), Chunked = true, Kind = "800 KB body, chunked" };
    }

    private static HostileRequest Json(HostileRequest valid, string body, string kind) => valid with { Body = Utf8(body), ContentType = "application/json", Kind = kind };

    private static string Describe(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 40 ? text[..40] + $"...({text.Length} chars)" : text;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
