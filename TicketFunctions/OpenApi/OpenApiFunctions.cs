using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

public sealed class OpenApiFunctions(OpenApiDocumentProvider documents, SwaggerUi swaggerUi)
{
    [Function("OpenApiDocument")]
    [ApiOperation("Operations", "The OpenAPI 3 document of this API")]
    [ApiResponse(200, ContentType = OpenApiDocumentFactory.JsonMediaType, Description = "This document.")]
    public IActionResult Document(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v3.json")] HttpRequest req)
        => DocumentResult(req);

    [Function("SwaggerJson")]
    [ApiOperation("Operations", "The OpenAPI 3 document of this API (the conventional Swagger address)")]
    [ApiResponse(200, ContentType = OpenApiDocumentFactory.JsonMediaType, Description = "This document.")]
    public IActionResult SwaggerJson(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger.json")] HttpRequest req)
        => DocumentResult(req);

    [Function("SwaggerUi")]
    [ApiOperation("Operations", "Swagger UI: read this API and try its calls")]
    [ApiResponse(200, ContentType = "text/html", Description = "The Swagger UI page.")]
    public IActionResult SwaggerUiPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger/ui")] HttpRequest req)
        => swaggerUi.PageResult();

    [Function("SwaggerUiAsset")]
    [ApiOperation("Operations", "A script, style sheet or icon of Swagger UI")]
    [ApiResponse(200, ContentType = "application/octet-stream", Description = "The file, with its own content type.")]
    [ApiResponse(304, Description = "The file has not changed (If-None-Match).")]
    [ApiResponse(404, Description = "Swagger UI has no such file.")]
    public IActionResult SwaggerUiAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger/ui/{file}")] HttpRequest req, string file)
        => swaggerUi.AssetResult(file);

    private Problems.WithHeader DocumentResult(HttpRequest req) => new Problems.WithHeader(
        new ContentResult { Content = documents.For(req), ContentType = "application/json; charset=utf-8", StatusCode = 200 },
        HeaderNames.CacheControl,
        "no-cache");
}
