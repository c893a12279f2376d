using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace SampleApp;

public sealed record Order(string Id, string Item, int Quantity);

/// <summary>An <c>[HttpResult]</c> answer with a <c>[QueueOutput]</c> message beside it; a null message sends nothing.</summary>
public sealed class OrderAccepted
{
    [HttpResult]
    public required IActionResult Result { get; init; }

    [QueueOutput("%OrdersQueue%")]
    public Order? Message { get; init; }
}

public static class HttpFunctions
{
    [Function("Hello")]
    public static IActionResult Hello([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hello")] HttpRequest request)
        => new OkObjectResult("hello");

    /// <summary>Says what the worker was handed: the bound route value, the query, the path and the invocation.</summary>
    [Function("Item")]
    public static IActionResult Item(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id:int}")] HttpRequest request, int id, FunctionContext context)
        => new OkObjectResult(new
        {
            id,
            q = request.Query["q"].ToString(),
            path = request.Path.Value,
            invocationId = context.InvocationId,
            invocationHeader = request.Headers["x-ms-invocation-id"].ToString(),
        });

    /// <summary>Answers the X-Probe header it got and logs that it ran: a request that never reaches it leaves no line.</summary>
    [Function("Probe")]
    public static IActionResult Probe([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "probe")] HttpRequest request, FunctionContext context)
    {
        var probe = request.Headers["X-Probe"].ToString();
#pragma warning disable CA1848, CA2254 // A sample: the plain call is the point.
        context.GetLogger("SampleApp.Probe").LogWarning($"Probe ran with {probe}");
#pragma warning restore CA1848, CA2254
        return new OkObjectResult(probe);
    }

    [Function("Boom")]
    public static IActionResult Boom([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "boom")] HttpRequest request)
        => throw new InvalidOperationException("secret detail from the sample");

    /// <summary>An app setting as the worker process sees it in its environment.</summary>
    [Function("Setting")]
    public static IActionResult Setting([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "settings/{name}")] HttpRequest request, string name)
        => new OkObjectResult(new { value = Environment.GetEnvironmentVariable(name) });

    [Function("PlaceOrder")]
    public static async Task<OrderAccepted> PlaceOrder([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders")] HttpRequest request)
    {
        var order = await request.ReadFromJsonAsync<Order>(request.HttpContext.RequestAborted);
        return order is null
            ? new OrderAccepted { Result = new BadRequestResult() }
            : new OrderAccepted { Result = new AcceptedResult((string?)null, order), Message = order };
    }
}
