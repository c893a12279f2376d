using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TicketFunctions.Common;

/// <summary>Reads a JSON request body: at most 64 KiB, JSON content type, strict types; any fault is a 4xx problem.</summary>
public static partial class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    private static readonly string[] Required = ["This field is required."];

    public static async Task<Result<T>> ReadJsonAsync<T>(this HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var read = await request.ReadJsonBodyAsync<T>(cancellationToken);
        return read.Problem is null ? read.Value! : new BodyError(read.Problem);
    }

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer; the raw bytes come back too (for hashing).</summary>
    public static async Task<JsonBody<T>> ReadJsonBodyAsync<T>(this HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            return new(null, Problems.PayloadTooLarge(MaxBytes), []);
        }

        if (!IsJson(request.ContentType))
        {
            return new(null, Problems.UnsupportedMediaType(), []);
        }

        byte[]? bytes;
        try
        {
            bytes = await ReadLimitedAsync(request.Body, cancellationToken);
        }
        catch (Exception e) when (ClientFault(e) is { } answer)
        {
            // The client's doing, not the app's: a warning without a stack trace, and a 4xx if it can still be written.
            ClientFaultLog.BodyFault(Logger(request), e.GetType().Name, e.Message);
            return new(null, answer, []);
        }

        if (bytes is null)
        {
            return new(null, Problems.PayloadTooLarge(MaxBytes), []);
        }

        if (bytes.Length == 0)
        {
            return new(null, Problems.BadRequest("The request body is empty; send a JSON object."), bytes);
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes, Json.Options);
            return value is null
                ? new(null, Problems.BadRequest("The request body must be a JSON object, not null."), bytes)
                : new(value, null, bytes);
        }
        catch (JsonException e)
        {
            return new(null, Problems.Validation(Errors(e), "The request body is not valid JSON for this operation."), bytes);
        }
    }

    /// <summary>
    /// What System.Text.Json refused, keyed as every other field error of the API is: by the field's JSON name
    /// (<c>email</c>, <c>seats[2]</c>, not its JSON path <c>$.email</c>), each missing required field on its own;
    /// <c>$</c> only for the body as a whole (malformed JSON).
    /// </summary>
    private static Dictionary<string, string[]> Errors(JsonException e)
    {
        if (e.Message.Contains("missing required properties", StringComparison.OrdinalIgnoreCase))
        {
            var names = QuotedName().Matches(e.Message.Split("including:", 2)[^1].Split('.')[0]).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal);
            return names.ToDictionary(name => name, _ => Required, StringComparer.Ordinal);
        }

        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path[1..];
        return new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [Describe(e)] };
    }

    /// <summary>
    /// A body that did not arrive: too slowly (Kestrel's minimum data rate or the request's timeout: 408), or cut short
    /// (the connection dropped or the length was not reached: 400). Null for anything that is not the client's fault.
    /// </summary>
    private static IActionResult? ClientFault(Exception e) => e switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => Problems.RequestTimeout(),
        BadHttpRequestException => Problems.BodyCutShort(),
        IOException => Problems.BodyCutShort(),
        _ => null,
    };

    private static ILogger Logger(HttpRequest request)
        => request.HttpContext.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(typeof(RequestBody).FullName!) ?? NullLogger.Instance;

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    // System.Text.Json's messages name .NET types and internals; clients get a sentence about their JSON instead.
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.OrdinalIgnoreCase))
        {
            return "This property is not part of the request.";
        }

        if (message.Contains("could not be converted", StringComparison.OrdinalIgnoreCase))
        {
            return "The value has the wrong type or format.";
        }

        if (e.InnerException is not null || message.Contains("invalid", StringComparison.OrdinalIgnoreCase))
        {
            return "The JSON is malformed.";
        }

        return "The value is not valid here.";
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedName();
}

/// <summary>A parsed body, or the problem that answers for it.</summary>
public sealed record JsonBody<T>(T? Value, IActionResult? Problem, byte[] Raw)
    where T : class;

/// <summary>An error whose answer is already shaped (a body that could not be read).</summary>
public sealed record BodyError(IActionResult Answer) : Error;

internal static partial class ClientFaultLog
{
    [LoggerMessage(LogLevel.Warning, "The request body could not be read ({Kind}: {Reason}); answered as the client's fault")]
    internal static partial void BodyFault(ILogger logger, string kind, string reason);
}
