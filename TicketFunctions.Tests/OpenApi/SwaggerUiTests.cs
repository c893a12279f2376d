using TicketFunctions.OpenApi;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.OpenApi;

public sealed class SwaggerUiTests
{
    [Fact]
    public async Task The_page_loads_its_assets_and_the_document_from_paths_that_work_with_or_without_a_trailing_slash()
    {
        await using var app = await TestApp.StartAsync();

        var page = await app.Call(() => Task.FromResult(OpenApiFunctions.SwaggerUiPage(app.Request("GET", "/api/swagger/ui"))));

        Assert.Equal(200, page.Status);
        Assert.Equal("text/html; charset=utf-8", page.ContentType);
        Assert.Equal("no-cache", page.Headers.CacheControl.ToString());
        Assert.Contains("url: \"/api/openapi/v3.json\"", page.Body, StringComparison.Ordinal);
        Assert.Contains("persistAuthorization: true", page.Body, StringComparison.Ordinal);
        Assert.Contains("deepLinking: true", page.Body, StringComparison.Ordinal);
        Assert.Contains("tryItOutEnabled: true", page.Body, StringComparison.Ordinal);
        Assert.Contains("validatorUrl: null", page.Body, StringComparison.Ordinal);
        Assert.Matches("src=\"/api/swagger/ui/swagger-ui-bundle\\.js\\?v=[0-9a-f]{16}\"", page.Body);
        Assert.DoesNotMatch("(src|href)=\"[^/]", page.Body);
        Assert.DoesNotContain("https://", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("//cdn", page.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("swagger-ui.css", "text/css; charset=utf-8")]
    [InlineData("swagger-ui-bundle.js", "text/javascript; charset=utf-8")]
    [InlineData("swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8")]
    [InlineData("favicon-32x32.png", "image/png")]
    [InlineData("favicon-16x16.png", "image/png")]
    public async Task Each_asset_is_served_from_the_assembly_with_its_type_and_cache_headers(string file, string contentType)
    {
        await using var app = await TestApp.StartAsync();

        var asset = await app.Call(() => Task.FromResult(OpenApiFunctions.SwaggerUiAsset(app.Request("GET", "/api/swagger/ui/" + file), file)));

        Assert.Equal(200, asset.Status);
        Assert.Equal(contentType, asset.ContentType);
        Assert.Equal("public, max-age=86400", asset.Headers.CacheControl.ToString());
        Assert.Matches("^\"[0-9a-f]{16}\"$", asset.Headers.ETag.ToString());
        Assert.Equal(new FileInfo(Path.Combine(Repository.Root, "node_modules", "swagger-ui-dist", file)).Length, asset.Headers.ContentLength);

        // The document lists this type for the answer, so a client that reads answers by their declared type reads this one.
        var declared = (await OpenApiDocumentTests.ServedDocument()).GetProperty("paths").GetProperty("/swagger/ui/{file}").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name);
        Assert.Contains(contentType.Split(';')[0], declared);
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("swagger-initializer.js")]
    [InlineData("..%2F..%2Fappsettings.json")]
    [InlineData("../TicketFunctions.dll")]
    [InlineData("SWAGGER-UI.CSS")]
    public async Task Any_other_file_is_a_404_problem(string file)
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Call(() => Task.FromResult(OpenApiFunctions.SwaggerUiAsset(app.Request("GET", "/api/swagger/ui/x"), file)));

        Assert.Equal(404, response.Status);
        Assert.True(response.IsProblem, response.ToString());
    }
}
