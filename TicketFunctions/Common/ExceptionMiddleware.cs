using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Common;

/// <summary>
/// Answers an unhandled exception in an HTTP function with a problem+json 500 that names the invocation id (the key to
/// the log entry) and nothing of the exception. Queue and timer functions rethrow, so the host retries them.
/// </summary>
public sealed partial class ExceptionMiddleware(ILogger<ExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            LogUnhandled(e, context.FunctionDefinition.Name, context.InvocationId);
            http.Response.Clear();
            var problem = Problems.Create(
                StatusCodes.Status500InternalServerError,
                "An unexpected error occurred.",
                $"The request failed on the server. Quote invocation id {context.InvocationId} when you report it.");
            problem.Extensions["invocationId"] = context.InvocationId;
            await Problems.Result(problem).ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
        }
    }

    [LoggerMessage(LogLevel.Error, "Function '{FunctionName}' failed (invocation {InvocationId})")]
    private partial void LogUnhandled(Exception exception, string functionName, string invocationId);
}
