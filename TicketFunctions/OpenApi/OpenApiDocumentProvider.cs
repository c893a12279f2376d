using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace TicketFunctions.OpenApi;

/// <summary>
/// The app's OpenAPI 3.0 document as JSON. It depends only on the assembly, so it is built once; only the server
/// URL, which comes from the request, is added per answer.
/// </summary>
public sealed class OpenApiDocumentProvider
{
    private readonly Lazy<string> _json = new(() => Serialize(OpenApiDocumentFactory.Build(typeof(OpenApiDocumentProvider).Assembly, Common.Json.Options)));

    /// <summary>The document (without servers), serialized as OpenAPI 3.0 JSON.</summary>
    public string Document => _json.Value;

    /// <summary>The document for one request: its server is this request's scheme and host under /api.</summary>
    public string For(HttpRequest request)
    {
        var cached = JsonNode.Parse(Document)!.AsObject();
        var document = new JsonObject();
        foreach (var (name, value) in cached.ToList())
        {
            cached.Remove(name);
            document[name] = value;
            if (name == "info")
            {
                document["servers"] = new JsonArray(new JsonObject { ["url"] = ServerUrl(request) });
            }
        }

        return document.ToJsonString();
    }

    public static string ServerUrl(HttpRequest request)
    {
        // Behind a TLS-terminating front end the worker sees http; the front end says what the client used.
        var forwarded = request.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim();
        var scheme = forwarded is "http" or "https" ? forwarded : request.Scheme;
        return $"{scheme}://{request.Host}{request.PathBase}/api";
    }

    public static string Serialize(OpenApiDocument document)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        return text.ToString();
    }
}

public static class OpenApiServices
{
    public static IServiceCollection AddOpenApiDocument(this IServiceCollection services)
    {
        services.AddSingleton<OpenApiDocumentProvider>();
        services.AddSingleton<SwaggerUi>();
        return services;
    }
}
