using System.Runtime.InteropServices;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace SampleApp;

/// <summary>Functions that end badly on purpose, for the host's timeout and restart tests.</summary>
public static class LifecycleFunctions
{
    /// <summary>The worker process that answers: a restarted worker is a new process.</summary>
    [Function("Pid")]
    public static IActionResult Pid([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "lifecycle/pid")] HttpRequest request)
        => new OkObjectResult(new { pid = Environment.ProcessId });

    /// <summary>Never ends and ignores its cancellation, as a function stuck in a call without a token would.</summary>
    [Function("Hang")]
    public static async Task<IActionResult> Hang([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "lifecycle/hang")] HttpRequest request, FunctionContext context)
    {
        Log(context, "Hang", $"Hang started in process {Environment.ProcessId}");
        await Task.Delay(Timeout.InfiniteTimeSpan, CancellationToken.None);
        return new OkResult();
    }

    /// <summary>Waits until the host cancels the invocation, says so, and ends.</summary>
    [Function("Cancellable")]
    public static async Task<IActionResult> Cancellable(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "lifecycle/cancellable")] HttpRequest request, FunctionContext context)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            Log(context, "Cancellable", $"Cancellable saw its cancellation in process {Environment.ProcessId}");
            throw;
        }

        return new OkResult();
    }

    /// <summary>Ends its own process at once with the exit code it is given (libc _exit: no shutdown runs, as in a crash).</summary>
    [Function("Exit")]
    public static IActionResult Exit([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "lifecycle/exit/{code:int}")] HttpRequest request, int code)
    {
        ExitNow(code);
        return new OkResult();
    }

#pragma warning disable SYSLIB1054 // One plain call into libc; no marshalling to generate.
    [DllImport("libc", EntryPoint = "_exit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void ExitNow(int status);
#pragma warning restore SYSLIB1054

    private static void Log(FunctionContext context, string function, string line)
    {
#pragma warning disable CA1848, CA2254 // A sample: the plain call is the point.
        context.GetLogger($"SampleApp.{function}").LogWarning(line);
#pragma warning restore CA1848, CA2254
    }
}
