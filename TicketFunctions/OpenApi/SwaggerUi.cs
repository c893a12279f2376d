using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

/// <summary>
/// Swagger UI, served by the app itself from the swagger-ui-dist files embedded at build time (the .csproj lists
/// them, and only they are served), so that the page works with no internet: no CDN, no online validator.
/// </summary>
public static class SwaggerUi
{
    private const string ResourcePrefix = "swagger-ui/";

    // Paths from the root, as the document's server (/api) is: relative ones would break at /api/swagger/ui/ (with the slash).
    private const string Page = """
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

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    // Each asset URL carries its content hash, so a new swagger-ui-dist version is fetched at once despite caching.
    private static readonly string VersionedPage = Assets.Aggregate(Page, (page, asset) =>
        page.Replace($"/ui/{asset.Key}\"", $"/ui/{asset.Key}?v={asset.Value.ETag.Tag.ToString().Trim('"')}\"", StringComparison.Ordinal));

    public static IActionResult PageResult() => new Problems.WithHeader(
        new ContentResult { Content = VersionedPage, ContentType = "text/html; charset=utf-8", StatusCode = 200 },
        HeaderNames.CacheControl,
        "no-cache");

    /// <summary>An embedded asset (cached for a day, revalidated by ETag), or 404 for any other name.</summary>
    public static IActionResult AssetResult(string file) => Assets.TryGetValue(file, out var asset)
        ? new Problems.WithHeader(new FileContentResult(asset.Content, asset.ContentType) { EntityTag = asset.ETag }, HeaderNames.CacheControl, "public, max-age=86400")
        : Problems.NotFound("Swagger UI has no such file.");

    private static FrozenDictionary<string, Asset> Load() => typeof(SwaggerUi).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .ToFrozenDictionary(name => name[ResourcePrefix.Length..], Read, StringComparer.Ordinal);

    private static Asset Read(string resource)
    {
        using var stream = typeof(SwaggerUi).Assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        var type = ContentTypes.TryGetContentType(resource, out var known) ? known : "application/octet-stream";
        return new Asset(
            content,
            type.StartsWith("text/", StringComparison.Ordinal) ? type + "; charset=utf-8" : type,
            new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\""));
    }

    private sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
