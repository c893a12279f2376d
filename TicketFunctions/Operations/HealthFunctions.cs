using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Operations;

public sealed class HealthFunctions(HealthChecks checks)
{
    [Function("Health")]
    [ApiOperation("Operations", "Health of the app and its dependencies")]
    [ApiResponse(200, typeof(HealthReport), Description = "Healthy: the database and the queue answer.")]
    [ApiResponse(503, typeof(HealthReport), Description = "Unhealthy: a check failed.")]
    public async Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req)
    {
        var report = await checks.RunAsync(req.HttpContext.RequestAborted);
        return new ObjectResult(report)
        {
            StatusCode = report.Status == HealthChecks.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
        };
    }
}
