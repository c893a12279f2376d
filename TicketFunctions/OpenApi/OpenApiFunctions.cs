using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using TicketFunctions.Auth;
using TicketFunctions.Common;

namespace TicketFunctions.OpenApi;

public sealed class OpenApiFunctions
{
    // The document depends only on the assembly, so it is built once, on the first request for it.
    private static readonly Lazy<string> DocumentJson = new(() => OpenApiDocumentFactory.Serialize(OpenApiDocumentFactory.Build(typeof(OpenApiFunctions).Assembly, Json.Options)));

    [Function("OpenApiDocument")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("The OpenAPI 3 document of this API")]
    [Produces(OpenApiDocumentFactory.JsonMediaType)]
    [ProducesResponseType(typeof(string), 200, Description = "This document.")]
    public static IActionResult Document(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v3.json")] HttpRequest req)
        => DocumentResult();

    [Function("SwaggerJson")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("The OpenAPI 3 document of this API (the conventional Swagger address)")]
    [Produces(OpenApiDocumentFactory.JsonMediaType)]
    [ProducesResponseType(typeof(string), 200, Description = "This document.")]
    public static IActionResult SwaggerJson(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger.json")] HttpRequest req)
        => DocumentResult();

    [Function("SwaggerUi")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("Swagger UI: read this API and try its calls")]
    [Produces("text/html")]
    [ProducesResponseType(typeof(string), 200, Description = "The Swagger UI page.")]
    public static IActionResult SwaggerUiPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger/ui")] HttpRequest req)
        => SwaggerUi.PageResult();

    [Function("SwaggerUiAsset")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("A script, style sheet or icon of Swagger UI")]
    [Produces("application/octet-stream")]
    [ProducesResponseType(typeof(string), 200, Description = "The file, with its own content type.")]
    [ProducesResponseType(304, Description = "The file has not changed (If-None-Match).")]
    [ProducesResponseType(404, Description = "Swagger UI has no such file.")]
    public static IActionResult SwaggerUiAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "swagger/ui/{file}")] HttpRequest req, string file)
        => SwaggerUi.AssetResult(file);

    private static Problems.WithHeader DocumentResult() => new Problems.WithHeader(
        new ContentResult { Content = DocumentJson.Value, ContentType = "application/json; charset=utf-8", StatusCode = 200 },
        HeaderNames.CacheControl,
        "no-cache");
}
