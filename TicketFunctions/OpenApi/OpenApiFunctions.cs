using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using TicketFunctions.Auth;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

/// <summary>
/// The OpenAPI document, and Swagger UI served by the app itself from the swagger-ui-dist files embedded at build
/// time (the .csproj lists them, and only they are served), so that the page works with no internet: no CDN, no
/// online validator.
/// </summary>
public sealed class OpenApiFunctions
{
    private const string AssetResourcePrefix = "swagger-ui/";

    // Paths from the root, as the document's server (/api) is: relative ones would break at /api/swagger/ui/ (with the slash).
    private const string SwaggerUiHtml = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>TicketFunctions API</title>
          <link rel="stylesheet" href="/api/swagger/ui/swagger-ui.css">
          <link rel="icon" type="image/png" href="/api/swagger/ui/favicon-32x32.png" sizes="32x32">
          <link rel="icon" type="image/png" href="/api/swagger/ui/favicon-16x16.png" sizes="16x16">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="/api/swagger/ui/swagger-ui-bundle.js"></script>
          <script src="/api/swagger/ui/swagger-ui-standalone-preset.js"></script>
          <script>
            window.ui = SwaggerUIBundle({
              url: "/api/openapi/v3.json",
              dom_id: "#swagger-ui",
              deepLinking: true,
              persistAuthorization: true,
              tryItOutEnabled: true,
              displayRequestDuration: true,
              validatorUrl: null,
              presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
              layout: "StandaloneLayout"
            });
          </script>
        </body>
        </html>
        """;

    // The document depends only on the assembly, so it is built once, on the first request for it.
    private static readonly Lazy<Task<string>> DocumentJson = new(() => OpenApiDocumentFactory.Build(typeof(OpenApiFunctions).Assembly, Json.Options).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1));
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(LoadAssets);

    // Each asset URL carries its content hash, so a new swagger-ui-dist version is fetched at once despite caching.
    private static readonly Lazy<string> VersionedSwaggerUiHtml = new(() => Assets.Value.Aggregate(SwaggerUiHtml, (page, asset) =>
        page.Replace($"/ui/{asset.Key}\"", $"/ui/{asset.Key}?v={asset.Value.ETag.Tag.ToString().Trim('"')}\"", StringComparison.Ordinal)));

    [Function("OpenApiDocument")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("The OpenAPI 3 document of this API")]
    [Produces(OpenApiDocumentFactory.JsonMediaType)]
    [ProducesResponseType(typeof(OpenApiDocument), 200, Description = "This document.")]
    public static async Task<IActionResult> Document(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v3.json")] HttpRequest req)
        => NoCache(await DocumentJson.Value, "application/json; charset=utf-8");

    [Function("SwaggerJson")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("The OpenAPI 3 document of this API (the conventional Swagger address)")]
    [Produces(OpenApiDocumentFactory.JsonMediaType)]
    [ProducesResponseType(typeof(OpenApiDocument), 200, Description = "This document.")]
    public static async Task<IActionResult> SwaggerJson(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger.json")] HttpRequest req)
        => NoCache(await DocumentJson.Value, "application/json; charset=utf-8");

    [Function("SwaggerUi")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("Swagger UI: read this API and try its calls")]
    [Produces("text/html")]
    [ProducesResponseType(typeof(string), 200, Description = "The Swagger UI page.")]
    public static IActionResult SwaggerUiPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger/ui")] HttpRequest req)
        => NoCache(VersionedSwaggerUiHtml.Value, "text/html; charset=utf-8");

    /// <summary>An embedded asset (cached for a day, revalidated by ETag), or 404 for any other name.</summary>
    [Function("SwaggerUiAsset")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("A script, style sheet or icon of Swagger UI")]
    [Produces("text/css", "text/javascript", "image/png")]
    [ProducesResponseType(typeof(byte[]), 200, Description = "The file: a style sheet (.css), a script (.js) or an icon (.png).")]
    [ProducesResponseType(304, Description = "The file has not changed (If-None-Match).")]
    [ProducesResponseType(404, Description = "Swagger UI has no such file.")]
    public static IActionResult SwaggerUiAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger/ui/{file}")] HttpRequest req, string file)
        => Assets.Value.TryGetValue(file, out var asset)
            ? new Problems.WithHeader(new FileContentResult(asset.Content, asset.ContentType) { EntityTag = asset.ETag }, HeaderNames.CacheControl, "public, max-age=86400")
            : Problems.NotFound("Swagger UI has no such file.");

    private static Problems.WithHeader NoCache(string content, string contentType)
        => new(new ContentResult { Content = content, ContentType = contentType, StatusCode = 200 }, HeaderNames.CacheControl, "no-cache");

    private static FrozenDictionary<string, Asset> LoadAssets() => typeof(OpenApiFunctions).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith(AssetResourcePrefix, StringComparison.Ordinal))
        .ToFrozenDictionary(name => name[AssetResourcePrefix.Length..], ReadAsset, StringComparer.Ordinal);

    private static Asset ReadAsset(string resource)
    {
        using var stream = typeof(OpenApiFunctions).Assembly.GetManifestResourceStream(resource)!;
        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        var type = ContentTypes.TryGetContentType(resource, out var known) ? known : "application/octet-stream";
        return new Asset(
            content,
            type.StartsWith("text/", StringComparison.Ordinal) ? type + "; charset=utf-8" : type,
            new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\""));
    }

    private sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
