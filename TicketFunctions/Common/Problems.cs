using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace TicketFunctions.Common;

/// <summary>Every error answer of the API: RFC 9457 problem details as <c>application/problem+json</c>.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static IActionResult Validation(IDictionary<string, string[]> errors, string? detail = null)
        => Result(new ValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = TypeFor(StatusCodes.Status400BadRequest),
            Title = "One or more fields are invalid.",
            Detail = detail ?? "See errors for the fields to correct.",
        });

    public static IActionResult Validation(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IActionResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "The request is malformed.", detail);

    public static IActionResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found.", detail);

    public static IActionResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden.", detail);

    public static IActionResult Conflict(string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = Create(StatusCodes.Status409Conflict, "Conflict.", detail);
        problem.Extensions["code"] = code;
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return Result(problem);
    }

    public static IActionResult RequestTimeout()
        => Problem(StatusCodes.Status408RequestTimeout, "The request body arrived too slowly.", "The request body stopped arriving; send it again at once.");

    public static IActionResult BodyCutShort()
        => Problem(StatusCodes.Status400BadRequest, "The request is malformed.", "The request body ended before its declared length; send it again whole.");

    public static IActionResult PayloadTooLarge(long limit)
        => Problem(StatusCodes.Status413PayloadTooLarge, "The request body is too large.", $"The body may hold at most {limit} bytes.");

    public static IActionResult UnsupportedMediaType()
        => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.", "Send the body as application/json.");

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>, as RFC 6750 asks.</summary>
    public static IActionResult Unauthorized(string detail, string? error = "invalid_token")
        => new WithHeader(
            Problem(StatusCodes.Status401Unauthorized, "Unauthorized.", detail),
            "WWW-Authenticate",
            error is null ? "Bearer" : $"Bearer error=\"{error}\"");

    /// <summary>429 with <c>Retry-After</c> (RFC 6585), in whole seconds, at least 1.</summary>
    public static IActionResult TooManyRequests(string detail, TimeSpan retryAfter)
        => new WithHeader(
            Problem(StatusCodes.Status429TooManyRequests, "Too many requests.", detail),
            "Retry-After",
            Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>503 with <c>Retry-After</c> (RFC 9110, section 10.2.3), in whole seconds, at least 1.</summary>
    public static IActionResult ServiceUnavailable(string detail, TimeSpan retryAfter)
        => new WithHeader(
            Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable.", detail),
            "Retry-After",
            Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static IActionResult Problem(int status, string title, string detail) => Result(Create(status, title, detail));

    public static ProblemDetails Create(int status, string title, string detail) => new()
    {
        Status = status,
        Type = TypeFor(status),
        Title = title,
        Detail = detail,
    };

    public static IActionResult Result(ProblemDetails problem) => new ObjectResult(problem)
    {
        StatusCode = problem.Status,
        ContentTypes = { ContentType },
    };

    public static IActionResult From(Error error) => error switch
    {
        Error.Invalid e => Validation(e.Errors),
        Error.NotFound e => NotFound(e.Detail),
        Error.Conflict e => Conflict(e.Code, e.Detail, e.Extensions),
        Error.Forbidden e => Forbidden(e.Detail),
        Error.Unauthorized e => Unauthorized(e.Detail, error: null),
        Error.TooManyRequests e => TooManyRequests(e.Detail, e.RetryAfter),
        Error.Unavailable e => ServiceUnavailable(e.Detail, e.RetryAfter),
        BodyError e => e.Answer,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown error kind."),
    };

    /// <summary>The problem type URI of a status: the section of RFC 9110 (RFC 6585 for 429) that defines it.</summary>
    public static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "https://tools.ietf.org/html/rfc9110#section-15",
    };

    /// <summary>An action result with one more response header.</summary>
    public sealed class WithHeader(IActionResult inner, string name, string value) : IActionResult
    {
        public IActionResult Inner { get; } = inner;

        public string Name { get; } = name;

        public string Value { get; } = value;

        public Task ExecuteResultAsync(ActionContext context)
        {
            context.HttpContext.Response.Headers[Name] = Value;
            return Inner.ExecuteResultAsync(context);
        }
    }
}
