using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace TicketFunctions.Benchmarks.ReferenceApp;

/// <summary>The raw work of baseline (a) behind HTTP functions: no authentication, no validation, no app logic.</summary>
public sealed class ReferenceFunctions(RawStore store)
{
    [Function("Health")]
    public async Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
        => Answer(await RawHttp.HealthAsync(store, request.HttpContext.RequestAborted));

    [Function("Hold")]
    public async Task<IActionResult> Hold([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "holds")] HttpRequest request)
        => Answer(await RawHttp.HoldAsync(store, request.Body, request.HttpContext.RequestAborted));

    [Function("Claim")]
    public async Task<IActionResult> Claim([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "claims")] HttpRequest request)
        => Answer(await RawHttp.ClaimAsync(store, request.Body, request.HttpContext.RequestAborted));

    [Function("SeatMap")]
    public async Task<IActionResult> SeatMap([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "showtimes/{id:long}/seats")] HttpRequest request, long id)
        => Answer(await RawHttp.SeatMapAsync(store, id, request.HttpContext.RequestAborted));

    private static BytesResult Answer(RawAnswer answer) => new(answer);

    /// <summary>The answer's bytes as they are, as the app's seat map writes its own.</summary>
    private sealed class BytesResult(RawAnswer answer) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.StatusCode = answer.Status;
            response.ContentType = RawHttp.ContentType;
            response.ContentLength = answer.Body.Length;
            return response.Body.WriteAsync(answer.Body, context.HttpContext.RequestAborted).AsTask();
        }
    }
}
