extern alias JsonSchemaNet;

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using JsonSchemaNet::Json.Schema;

namespace TicketFunctions.Tests.Support;

/// <summary>One operation's answers: per status, the media types it may carry and the schema of each.</summary>
internal sealed class OpenApiOperationContract(JsonNode operation, string definitions)
{
    private static int _schemas;
    private readonly ConcurrentDictionary<string, JsonSchema> _validators = new(StringComparer.Ordinal);

    public string Id { get; } = operation["operationId"]!.GetValue<string>();

    /// <summary>What does not match the document, or null.</summary>
    public string? Check(int status, string? mediaType, string body)
    {
        var responses = operation["responses"]!.AsObject();
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if ((responses[key] ?? responses[$"{key[0]}XX"] ?? responses["default"]) is not { } response)
        {
            return $"the status {status} is not one of its answers ({string.Join(", ", responses.Select(r => r.Key))})";
        }

        var content = response["content"]?.AsObject();
        if (content is null)
        {
            return body.Length == 0 ? null : $"the {status} answer is documented without a body, and it has one";
        }

        if (mediaType is null || content[mediaType] is not { } media)
        {
            return body.Length == 0 && status is (int)HttpStatusCode.NotModified ? null : $"the media type {mediaType} is not one of the {status} answer's ({string.Join(", ", content.Select(c => c.Key))})";
        }

        if (!mediaType.EndsWith("json", StringComparison.Ordinal) || media["schema"] is not { } schema)
        {
            return null;
        }

        var validator = _validators.GetOrAdd($"{key} {mediaType}", _ => Build(schema));
        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException e)
        {
            return $"the body is not JSON: {e.Message}";
        }

        var result = validator.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? null
            : "the body does not match its schema: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}")).Take(10));
    }

    // The answer's schema with every component beside it as $defs, so its $refs resolve inside one JSON Schema.
    private JsonSchema Build(JsonNode schema)
    {
        var text = $$"""{"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {{definitions}}, "allOf": [{{schema.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal)}}]}""";
        var uri = new Uri($"https://ticketfunctions.test/openapi/{Id}/{Interlocked.Increment(ref _schemas)}");
        return JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, uri);
    }
}
