using System.Globalization;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.AspNetCore.Routing.Template;

namespace FunctionsLocalHost;

/// <summary>
/// Matches a request to an HTTP function as the Functions host does: the route prefix from host.json, then each
/// function's route template (the function name when it has none) with its inline constraints and its methods as one
/// more constraint. Routes are tried in function name order (ignoring case) and the first whose template, constraints
/// and methods all match wins, however specific a later one is: azure-functions-host registers one route per function
/// of ScriptHost.Functions, which keeps the order FunctionMetadataManager.LoadFunctionMetadata sorts them in
/// (src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs, the methods as an HttpMethodRouteConstraint), into
/// one ASP.NET Core RouteCollection (azure-webjobs-sdk-extensions src/WebJobs.Extensions.Http/Routing/
/// WebJobsRouteBuilder.cs), which takes the first route that handles the request. A disabled function keeps its route
/// and answers 404 (FunctionInvocationMiddleware), so it also hides the routes after it.
/// </summary>
internal sealed class HttpFunctionRouter
{
    private static readonly string[] AllMethods = ["GET", "POST", "DELETE", "HEAD", "PATCH", "PUT", "OPTIONS", "TRACE"];

    private readonly Route[] _routes;

    internal HttpFunctionRouter(IEnumerable<HostedFunction> functions, Func<HostedFunction, bool> isEnabled, string routePrefix, IInlineConstraintResolver constraints)
    {
        RoutePrefix = routePrefix.Trim('/');
        _routes = functions
            .OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase)
            .Select(f => Route.Create(f, isEnabled(f), Template(f, RoutePrefix), constraints))
            .ToArray();
    }

    public string RoutePrefix { get; }

    /// <summary>The full route template of an HTTP function, under the route prefix.</summary>
    internal static string Template(HostedFunction function, string routePrefix)
    {
        var route = (function.Trigger.Text("route") ?? function.Name).Trim('/');
        return routePrefix.Length == 0 ? route : $"{routePrefix}/{route}";
    }

    /// <summary>The methods a function takes, upper case; all of them when its trigger names none.</summary>
    internal static IReadOnlyList<string> Methods(HostedFunction function)
        => function.Trigger.Texts("methods") is { Count: > 0 } methods ? methods.Select(m => m.ToUpperInvariant()).ToArray() : AllMethods;

    /// <summary>The function for this request and its route values, or null (a 404: no route matched, or a disabled function's did).</summary>
    internal (HostedFunction Function, RouteValueDictionary Values)? Match(HttpContext context)
    {
        foreach (var route in _routes)
        {
            var values = new RouteValueDictionary();
            if (route.AcceptedMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase)
                && route.Matcher.TryMatch(context.Request.Path, values)
                && route.Constraints.All(c => c.Value.Match(context, null, c.Key, values, RouteDirection.IncomingRequest)))
            {
                return route.Enabled ? (route.Function, values) : null;
            }
        }

        return null;
    }

    /// <summary>Route values as the strings the worker binds parameters from.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> Strings(RouteValueDictionary values)
        => values
            .Where(v => v.Value is not null)
            .Select(v => KeyValuePair.Create(v.Key, Convert.ToString(v.Value, CultureInfo.InvariantCulture) ?? string.Empty));

    private sealed record Route(HostedFunction Function, bool Enabled, RouteTemplate Template, TemplateMatcher Matcher, IReadOnlyDictionary<string, IRouteConstraint> Constraints, IReadOnlyList<string> AcceptedMethods)
    {
        internal static Route Create(HostedFunction function, bool enabled, string text, IInlineConstraintResolver resolver)
        {
            RouteTemplate template;
            try
            {
                template = TemplateParser.Parse(text);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"Function '{function.Name}': the route '{text}' is not a valid route template ({ex.Message}).", ex);
            }

            var defaults = new RouteValueDictionary();
            var constraints = new Dictionary<string, IRouteConstraint>(StringComparer.OrdinalIgnoreCase);
            foreach (var parameter in template.Parameters)
            {
                if (parameter.DefaultValue is not null)
                {
                    defaults[parameter.Name!] = parameter.DefaultValue;
                }

                var resolved = parameter.InlineConstraints
                    .Select(inline => resolver.ResolveConstraint(inline.Constraint)
                        ?? throw new InvalidOperationException($"Function '{function.Name}': the route constraint '{inline.Constraint}' in '{text}' is unknown."))
                    .ToArray();
                if (resolved.Length > 0)
                {
                    IRouteConstraint constraint = resolved.Length == 1 ? resolved[0] : new CompositeRouteConstraint(resolved);
                    constraints[parameter.Name!] = parameter.IsOptional ? new OptionalRouteConstraint(constraint) : constraint;
                }
            }

            return new Route(function, enabled, template, new TemplateMatcher(template, defaults), constraints, Methods(function));
        }
    }
}
