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
/// the log entry) and nothing of the exception. Queue and timer functions rethrow, so the host retries them. One
/// exception is the client's: a route value that the route's constraint let through (<c>{id:long}</c> takes "01" and
/// "+1") but the worker cannot convert to the function's parameter names no resource, so it answers 404.
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
        catch (FunctionInputConverterException e) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            LogUnconvertible(context.FunctionDefinition.Name, e.Message);
            http.Response.Clear();
            await Problems.NotFound("There is no such resource: ids in the path are positive integers without a sign or leading zeros.")
                .ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
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

    [LoggerMessage(LogLevel.Information, "Function '{FunctionName}' got a route value it cannot take; answered 404: {Reason}")]
    private partial void LogUnconvertible(string functionName, string reason);

    [LoggerMessage(LogLevel.Error, "Function '{FunctionName}' failed (invocation {InvocationId})")]
    private partial void LogUnhandled(Exception exception, string functionName, string invocationId);
}
