using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace SampleApp;

/// <summary>What a queue-triggered function got, written to <c>%SeenQueue%</c> so that a test can read it from outside.</summary>
public sealed record Seen(string Function, string Text, long DequeueCount, int Concurrency, DateTime StartedAtUtc);

public static class QueueFunctions
{
    private static int s_running;

    [Function("ProcessOrder")]
    [QueueOutput("%SeenQueue%")]
    public static Seen ProcessOrder([QueueTrigger("%OrdersQueue%")] Order order, FunctionContext context)
        => new("ProcessOrder", $"{order.Id}/{order.Item}/{order.Quantity}", DequeueCount(context), 1, DateTime.UtcNow);

    [Function("AlwaysFails")]
    public static void AlwaysFails([QueueTrigger("%FailingQueue%")] string message, FunctionContext context)
        => Fail(nameof(AlwaysFails), message, context);

    /// <summary>Fails on a trigger queue whose name ends in <c>-poison</c>, which the Functions host gives no poison queue.</summary>
    [Function("FailsOnPoisonQueue")]
    public static void FailsOnPoisonQueue([QueueTrigger("%DeadLetterQueue%")] string message, FunctionContext context)
        => Fail(nameof(FailsOnPoisonQueue), message, context);

    /// <summary>Takes a while and reports how many of its invocations ran at once, so batch sizes show from outside.</summary>
    [Function("Slow")]
    [QueueOutput("%SeenQueue%")]
    public static async Task<Seen> Slow([QueueTrigger("%SlowQueue%")] string message, FunctionContext context)
    {
        var started = DateTime.UtcNow;
        var running = Interlocked.Increment(ref s_running);
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), context.CancellationToken);
            return new Seen("Slow", message, DequeueCount(context), Math.Max(running, Volatile.Read(ref s_running)), started);
        }
        finally
        {
            Interlocked.Decrement(ref s_running);
        }
    }

    /// <summary>Never ends on a message's first try (its worker is killed meanwhile); reports any later try.</summary>
    [Function("HangsOnFirstTry")]
    [QueueOutput("%SeenQueue%")]
    public static async Task<Seen> HangsOnFirstTry([QueueTrigger("%HangQueue%")] string message, FunctionContext context)
    {
        var logger = context.GetLogger("SampleApp.HangsOnFirstTry");
        var dequeueCount = DequeueCount(context);
#pragma warning disable CA1848, CA2254 // A sample: the plain call is the point.
        logger.LogWarning($"HangsOnFirstTry got '{message}' on try {dequeueCount} in process {Environment.ProcessId}");
#pragma warning restore CA1848, CA2254
        if (dequeueCount == 1)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, CancellationToken.None);
        }

        return new Seen("HangsOnFirstTry", message, dequeueCount, 1, DateTime.UtcNow);
    }

    /// <summary>Logs the try (the tests count them in the host's log) and fails.</summary>
    private static void Fail(string function, string message, FunctionContext context)
    {
        var logger = context.GetLogger($"SampleApp.{function}");
#pragma warning disable CA1848, CA2254 // A sample: the plain call is the point.
        logger.LogWarning($"{function} got '{message}' on try {DequeueCount(context)}");
#pragma warning restore CA1848, CA2254
        throw new InvalidOperationException($"{function} fails on '{message}'");
    }

    private static long DequeueCount(FunctionContext context)
        => context.BindingContext.BindingData.TryGetValue("DequeueCount", out var count) ? Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture) : -1;
}
