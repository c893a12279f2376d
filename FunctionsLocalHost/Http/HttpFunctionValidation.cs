namespace FunctionsLocalHost;

/// <summary>
/// The checks the Functions host makes of HTTP functions before it serves them (azure-functions-host
/// src/WebJobs.Script/Host/ScriptHost.cs: ValidateFunction, ValidateHttpFunction, HttpRoutesConflict), in the order it
/// makes them: functions sorted by name (src/WebJobs.Script/Host/FunctionMetadataManager.cs), each one checked against
/// the HTTP functions accepted before it. A function that fails is a function in error in the real host; its
/// message here is the real host's, word for word.
/// </summary>
internal static class HttpFunctionValidation
{
    internal const string ReservedRouteMessage = "The specified route conflicts with one or more built in routes.";

    /// <summary>Each HTTP function the real host would put in error, with its message; empty when all are served.</summary>
    internal static IReadOnlyList<(string Function, string Message)> Errors(IEnumerable<HostedFunction> functions)
    {
        var errors = new List<(string, string)>();
        var accepted = new List<(string Name, string Route, IReadOnlyList<string>? Methods)>();
        foreach (var function in functions.Where(f => f.IsHttp).OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
        {
            // No route means the function's name, as in ValidateHttpFunction.
            var route = function.Trigger.Text("route") is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text) ? text : function.Name;
            var methods = function.Trigger.Texts("methods");

            // The real check is a plain prefix test: "administrators" is refused as "admin/x" is.
            var reserved = route.Trim('/').ToLowerInvariant();
            if (reserved.StartsWith("admin", StringComparison.Ordinal) || reserved.StartsWith("runtime", StringComparison.Ordinal))
            {
                errors.Add((function.Name, ReservedRouteMessage));
                continue;
            }

            if (accepted.FirstOrDefault(other => Conflict(route, methods, other.Route, other.Methods)) is { Name: not null } conflicting)
            {
                errors.Add((function.Name, $"The route specified conflicts with the route defined by function '{conflicting.Name}'."));
                continue;
            }

            if (accepted.Any(other => other.Name == function.Name))
            {
                errors.Add((function.Name, $"The function or proxy name '{function.Name}' must be unique within the function app."));
                continue;
            }

            accepted.Add((function.Name, route, methods));
        }

        return errors;
    }

    /// <summary>
    /// Two routes conflict when their templates are the same text (ignoring case and outer slashes) and their methods
    /// meet; no methods means every method. Templates that differ only in a constraint do not conflict, as in the host.
    /// </summary>
    private static bool Conflict(string route, IReadOnlyList<string>? methods, string otherRoute, IReadOnlyList<string>? otherMethods)
        => string.Equals(route.Trim('/'), otherRoute.Trim('/'), StringComparison.OrdinalIgnoreCase)
            && (methods is not { Count: > 0 } || otherMethods is not { Count: > 0 } || methods.Intersect(otherMethods, StringComparer.OrdinalIgnoreCase).Any());
}
