using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace TicketFunctions.Operations;

public sealed class HealthFunctions(HealthChecks checks)
{
    [Function("Health")]
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
