using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace SampleApp;

/// <summary>
/// Pairs of routes that match the same paths, each function answering its own name, so that a test can see which one
/// the host picked. The names are chosen so that the Functions host's order (function names, ignoring case) and ASP.NET
/// Core's route precedence (literal before parameter before catch-all) disagree.
/// </summary>
public static class RouteOrderFunctions
{
    [Function("Thing")]
    public static IActionResult Thing([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "things/{id}")] HttpRequest request, string id)
        => new OkObjectResult(new { function = "Thing", id });

    [Function("ThingsNew")]
    public static IActionResult ThingsNew([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "things/new")] HttpRequest request)
        => new OkObjectResult(new { function = "ThingsNew" });

    [Function("DocsLatest")]
    public static IActionResult DocsLatest([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/latest")] HttpRequest request)
        => new OkObjectResult(new { function = "DocsLatest" });

    [Function("DocsPage")]
    public static IActionResult DocsPage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{page}")] HttpRequest request, string page)
        => new OkObjectResult(new { function = "DocsPage", page });

    // Lower case first on purpose: ignoring case it sorts before PageHome ("pagef" < "pageh"); an ordinal sort would
    // put PageHome first.
    [Function("pageFallback")]
    public static IActionResult PageFallback([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "pages/{*path}")] HttpRequest request, string path)
        => new OkObjectResult(new { function = "pageFallback", path });

    [Function("PageHome")]
    public static IActionResult PageHome([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "pages/home")] HttpRequest request)
        => new OkObjectResult(new { function = "PageHome" });
}
