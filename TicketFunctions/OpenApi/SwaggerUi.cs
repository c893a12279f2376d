using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

/// <summary>
/// Swagger UI, served by the app itself from the swagger-ui-dist files embedded at build time (see the .csproj),
/// so that the page works with no internet: no CDN, no online validator.
/// </summary>
public sealed class SwaggerUi
{
    /// <summary>The only files served, with their content types.</summary>
    public static readonly FrozenDictionary<string, string> Assets = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["swagger-ui.css"] = "text/css; charset=utf-8",
        ["swagger-ui-bundle.js"] = "text/javascript; charset=utf-8",
        ["swagger-ui-standalone-preset.js"] = "text/javascript; charset=utf-8",
        ["favicon-32x32.png"] = "image/png",
        ["favicon-16x16.png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.Ordinal);

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

    private readonly Lazy<FrozenDictionary<string, (byte[] Content, EntityTagHeaderValue ETag)>> _files = new(Load);
    private readonly Lazy<string> _page;

    public SwaggerUi()
    {
        // Each asset URL carries its content hash, so a new swagger-ui-dist version is fetched at once despite caching.
        _page = new(() => _files.Value.Aggregate(Page, (page, file) =>
            page.Replace($"/ui/{file.Key}\"", $"/ui/{file.Key}?v={file.Value.ETag.Tag.ToString().Trim('"')}\"", StringComparison.Ordinal)));
    }

    public IActionResult PageResult() => new Problems.WithHeader(
        new ContentResult { Content = _page.Value, ContentType = "text/html; charset=utf-8", StatusCode = 200 },
        HeaderNames.CacheControl,
        "no-cache");

    /// <summary>An allow-listed asset (cached for a day, revalidated by ETag), or 404 for any other name.</summary>
    public IActionResult AssetResult(string file)
    {
        if (!Assets.TryGetValue(file, out var contentType) || !_files.Value.TryGetValue(file, out var asset))
        {
            return Problems.NotFound("Swagger UI has no such file.");
        }

        return new Problems.WithHeader(
            new FileContentResult(asset.Content, contentType) { EntityTag = asset.ETag },
            HeaderNames.CacheControl,
            "public, max-age=86400");
    }

    private static FrozenDictionary<string, (byte[] Content, EntityTagHeaderValue ETag)> Load()
    {
        var assembly = typeof(SwaggerUi).Assembly;
        var files = new Dictionary<string, (byte[], EntityTagHeaderValue)>(StringComparer.Ordinal);
        foreach (var name in Assets.Keys)
        {
            using var stream = assembly.GetManifestResourceStream("swagger-ui/" + name)
                ?? throw new InvalidOperationException($"The Swagger UI file {name} is not embedded; run 'npm ci' and build again.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            files[name] = (content, new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..16] + "\""));
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
