using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Auth;

/// <summary>
/// Enforces each HTTP function's <see cref="AccessAttribute"/> before it runs: anonymous ones go on, the others need a
/// valid bearer token (401) and, for Admin, the role (403); the caller is then on the request
/// (<see cref="CallerExtensions.Caller"/>). A function without the attribute is refused: access is denied by default.
/// Queue and timer functions have no caller and are not touched.
/// </summary>
public sealed partial class AuthorizationMiddleware(Authenticator authenticator, ILogger<AuthorizationMiddleware> logger) : IFunctionsWorkerMiddleware
{
    private static readonly ConcurrentDictionary<string, Access?> Rules = new(StringComparer.Ordinal);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is null)
        {
            await next(context);
            return;
        }

        var access = Rules.GetOrAdd(context.FunctionDefinition.EntryPoint, AccessOf);
        if (access is null)
        {
            LogUndeclared(context.FunctionDefinition.Name);
        }

        var denied = await authenticator.AuthorizeAsync(http, access);
        if (denied is not null)
        {
            // The function does not run; the answer is written here, as the function's own would be.
            await denied.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
            return;
        }

        await next(context);
    }

    /// <summary>The declared access of the method an entry point names (<c>Namespace.Type.Method</c>), or null.</summary>
    public static Access? AccessOf(string entryPoint)
    {
        ArgumentNullException.ThrowIfNull(entryPoint);
        var dot = entryPoint.LastIndexOf('.');
        var type = dot > 0 ? typeof(AuthorizationMiddleware).Assembly.GetType(entryPoint[..dot]) : null;
        var method = type?.GetMethod(entryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static);
        return method?.GetCustomAttribute<AccessAttribute>()?.Level;
    }

    [LoggerMessage(LogLevel.Error, "Function '{FunctionName}' declares no [Access]; its requests are refused")]
    private partial void LogUndeclared(string functionName);
}
