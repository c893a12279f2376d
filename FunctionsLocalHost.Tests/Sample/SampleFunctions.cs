using System.Collections.Concurrent;

using Azure.Storage.Queues.Models;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsLocalHost.Tests.Sample;

/// <summary>What the sample functions saw; one per hosted sample app.</summary>
public sealed class Probe
{
    private int _instances;

    public ConcurrentQueue<Order> Orders { get; } = new();

    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public int NewInstance() => Interlocked.Increment(ref _instances);

    public void Called(string function) => Calls.AddOrUpdate(function, 1, (_, n) => n + 1);

    public int CallsOf(string function) => Calls.GetValueOrDefault(function);
}

public sealed record Order(string Id, string Item, int Quantity);

public sealed class OrderAccepted
{
    [HttpResult]
    public required IActionResult Result { get; init; }

    [QueueOutput("%OrdersOutQueue%")]
    public Order? Message { get; init; }
}

/// <summary>A small function app with every binding the local host supports; queue names come from settings.</summary>
public sealed class SampleFunctions(Probe probe)
{
    private readonly int _instance = probe.NewInstance();

    [Function("Hello")]
    public static IActionResult Hello([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hello")] HttpRequest req)
        => new OkObjectResult(new { message = "hello" });

    [Function("GetItem")]
    public static IActionResult GetItem([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id:int}")] HttpRequest req, int id)
        => new OkObjectResult(new { id, q = req.Query["q"].ToString(), path = req.Path.Value });

    [Function("Instance")]
    public IActionResult Instance([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "instance")] HttpRequest req)
        => new OkObjectResult(new { instance = _instance });

    [Function("Token")]
    public static IActionResult Token([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "token")] HttpRequest req, CancellationToken cancellationToken)
        => new OkObjectResult(new { requestAborted = cancellationToken == req.HttpContext.RequestAborted });

    [Function("Boom")]
    public static Task<IActionResult> Boom([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "boom")] HttpRequest req)
        => throw new InvalidOperationException("secret detail");

    [Function("PlaceOrder")]
    public static async Task<OrderAccepted> PlaceOrder([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders")] HttpRequest req)
    {
        var order = await req.ReadFromJsonAsync<Order>();
        return new OrderAccepted { Result = new AcceptedResult((string?)null, new { order!.Id }), Message = order };
    }

    [Function("ProcessOrder")]
    public void ProcessOrder([QueueTrigger("%OrdersInQueue%")] Order order)
    {
        probe.Called(nameof(ProcessOrder));
        probe.Orders.Enqueue(order);
    }

    [Function("AlwaysFails")]
    public void AlwaysFails([QueueTrigger("%FailingQueue%")] QueueMessage message)
    {
        probe.Called(nameof(AlwaysFails));
        throw new InvalidOperationException($"failing on purpose, attempt {message.DequeueCount}");
    }
}
