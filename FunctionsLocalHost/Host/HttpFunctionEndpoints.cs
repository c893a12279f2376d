using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost;

/// <summary>
/// HTTP triggers as endpoints: ASP.NET Core routing matches the route template (so a constraint mismatch is a 404 and
/// a method mismatch a 405), then the function is called with its parameters bound and its outputs written.
/// </summary>
internal static class HttpFunctionEndpoints
{
    internal static string Pattern(FunctionDefinition function, string routePrefix)
    {
        var route = (function.HttpTrigger!.Route ?? function.Name).Trim('/');
        return routePrefix.Length == 0 ? route : $"{routePrefix}/{route}";
    }

    internal static IReadOnlyList<string>? Methods(FunctionDefinition function)
        => function.HttpTrigger!.Methods is { Length: > 0 } methods ? methods.Select(m => m.ToUpperInvariant()).ToArray() : null;

    internal static void Map(WebApplication app, IEnumerable<FunctionDefinition> functions, string routePrefix)
    {
        foreach (var function in functions)
        {
            var pattern = Pattern(function, routePrefix);
            var handler = new Handler(function, RoutePatternFactory.Parse(pattern), app.Services);
            var endpoint = Methods(function) is { } methods
                ? app.MapMethods(pattern, methods, handler.HandleAsync)
                : app.Map(pattern, handler.HandleAsync);
            endpoint.WithDisplayName($"Functions.{function.Name}");
        }
    }

    private sealed class Handler
    {
        private readonly FunctionDefinition _function;
        private readonly Func<HttpContext, object?>[] _binders;
        private readonly ILogger _logger;
        private readonly QueueConnections? _queues;

        public Handler(FunctionDefinition function, RoutePattern pattern, IServiceProvider services)
        {
            _function = function;
            _binders = function.Method.GetParameters().Select(p => Binder(function, p, pattern)).ToArray();
            _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Function.{function.Name}");
            _queues = services.GetService<QueueConnections>();
        }

        public async Task HandleAsync(HttpContext context)
        {
            var invocationId = Guid.NewGuid();
            var stopwatch = Stopwatch.StartNew();
            FunctionOutputs outputs;
            try
            {
                object?[] arguments;
                try
                {
                    arguments = _binders.Select(bind => bind(context)).ToArray();
                }
                catch (BindingException ex)
                {
                    await Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: ex.Message).ExecuteAsync(context).ConfigureAwait(false);
                    return;
                }

                var returned = await FunctionInvoker.InvokeAsync(_function, context.RequestServices, arguments).ConfigureAwait(false);
                outputs = FunctionOutputs.From(_function, returned);
            }
            catch (Exception ex)
            {
                HostLog.Failed(_logger, ex, _function.Name, invocationId, stopwatch.ElapsedMilliseconds);
                await ProblemAsync(context, invocationId).ConfigureAwait(false);
                return;
            }

            // Outputs are sent after the function returns and before the answer, so a client that gets its answer
            // can rely on the message being queued; a client that goes away does not cancel them.
            foreach (var (binding, value) in outputs.QueueMessages)
            {
                try
                {
                    await _queues!.SendAsync(binding, value, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    HostLog.OutputFailed(_logger, ex, _function.Name, invocationId, binding.QueueName);
                    HostLog.Failed(_logger, ex, _function.Name, invocationId, stopwatch.ElapsedMilliseconds);
                    await ProblemAsync(context, invocationId).ConfigureAwait(false);
                    return;
                }
            }

            var result = outputs.HttpResult ?? new EmptyResult();
            await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
            HostLog.Succeeded(_logger, _function.Name, invocationId, stopwatch.ElapsedMilliseconds);
        }

        private static Task ProblemAsync(HttpContext context, Guid invocationId)
        {
            if (context.Response.HasStarted)
            {
                return Task.CompletedTask;
            }

            context.Response.Clear();
            return Results.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                detail: $"The function failed. The host log has the details under invocation id {invocationId}.")
                .ExecuteAsync(context);
        }
    }

    private static Func<HttpContext, object?> Binder(FunctionDefinition function, ParameterInfo parameter, RoutePattern pattern)
    {
        if (parameter == function.TriggerParameter)
        {
            return context => context.Request;
        }

        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return context => context.RequestAborted;
        }

        if (type == typeof(HttpContext))
        {
            throw Unbindable(function, parameter, "bind HttpRequest and use its HttpContext");
        }

        if (pattern.GetParameter(parameter.Name!) is null)
        {
            throw Unbindable(function, parameter, $"it is not a route value of '{pattern.RawText}'");
        }

        var target = Nullable.GetUnderlyingType(type) ?? type;
        var converter = TypeDescriptor.GetConverter(target);
        if (target != typeof(string) && !converter.CanConvertFrom(typeof(string)))
        {
            throw Unbindable(function, parameter, $"a route value cannot be converted to {type.Name}");
        }

        var name = parameter.Name!;
        return context =>
        {
            var raw = Convert.ToString(context.GetRouteValue(name), CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(raw))
            {
                return parameter.HasDefaultValue ? parameter.DefaultValue : null;
            }

            if (target == typeof(string))
            {
                return raw;
            }

            try
            {
                return converter.ConvertFromInvariantString(raw);
            }
            catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
            {
                throw new BindingException($"The route value '{name}' ('{raw}') is not a valid {target.Name}.");
            }
        };
    }

    private static InvalidOperationException Unbindable(FunctionDefinition function, ParameterInfo parameter, string why)
        => new($"Function '{function.Name}' ({FunctionCatalog.Where(function)}): the local host cannot bind parameter "
            + $"'{parameter.Name}' ({parameter.ParameterType.Name}): {why}. It binds HttpRequest, route values by name and CancellationToken.");

    private sealed class BindingException(string message) : Exception(message);
}
