using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace TicketFunctions.OpenApi;

/// <summary>The app's OpenAPI 3.0 document as JSON. It depends only on the assembly, so it is built once.</summary>
public sealed class OpenApiDocumentProvider
{
    private readonly Lazy<string> _json = new(() => Serialize(OpenApiDocumentFactory.Build(typeof(OpenApiDocumentProvider).Assembly, Common.Json.Options)));

    public string Document => _json.Value;

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
