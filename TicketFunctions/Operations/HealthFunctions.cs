using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TicketFunctions.Auth;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Operations;

public sealed class HealthFunctions(HealthChecks checks)
{
    [Function("Health")]
    [Access(Access.Anonymous)]
    [Tags("Operations")]
    [EndpointSummary("Health of the app and its dependencies")]
    [ProducesResponseType(typeof(HealthReport), 200, Description = "Healthy: the database and the queue answer.")]
    [ProducesResponseType(typeof(HealthReport), 503, Description = "Unhealthy: a check failed.")]
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
