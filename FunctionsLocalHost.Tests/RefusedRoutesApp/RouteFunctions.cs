using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace RefusedRoutesApp;

/// <summary>
/// Each function is one case of azure-functions-host's ScriptHost.ValidateHttpFunction / HttpRoutesConflict: three the
/// real host puts in error, and three it serves.
/// </summary>
public static class RouteFunctions
{
    [Function("AdminX")]
    public static IActionResult AdminX([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/x")] HttpRequest request)
        => new OkResult();

    // The real check is a prefix test on the trimmed, lower-cased template, so this one is refused too.
    [Function("Administrators")]
    public static IActionResult Administrators([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "/Administrators")] HttpRequest request)
        => new OkResult();

    [Function("ManageX")]
    public static IActionResult ManageX([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/x")] HttpRequest request)
        => new OkResult();

    [Function("OrdersA")]
    public static IActionResult OrdersA([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "orders")] HttpRequest request)
        => new OkResult();

    // Sorted after OrdersA, with the same template and a shared method: the real host refuses this one.
    [Function("OrdersB")]
    public static IActionResult OrdersB([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "Orders/")] HttpRequest request)
        => new OkResult();

    // Same template, no shared method: no conflict.
    [Function("OrdersDelete")]
    public static IActionResult OrdersDelete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "orders")] HttpRequest request)
        => new OkResult();
}
