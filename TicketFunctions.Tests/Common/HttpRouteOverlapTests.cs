using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Common;

/// <summary>
/// The Functions host tries HTTP routes in function name order and the first match wins, however specific a later
/// route is (azure-functions-host src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs, azure-webjobs-sdk-extensions
/// src/WebJobs.Extensions.Http/Routing/WebJobsRouteBuilder.cs). As long as no request can match two of the app's routes
/// with a method in common, renaming a function or adding a route never moves a request to another function.
/// </summary>
public sealed class HttpRouteOverlapTests
{
    [Fact]
    public void No_request_to_one_of_the_apps_routes_matches_another_route_that_takes_its_method()
    {
        var routes = AppRoutes();
        var overlaps = new List<string>();
        foreach (var route in routes)
        {
            var path = SamplePath(route.Template);
            foreach (var other in routes.Where(o => !ReferenceEquals(o, route) && o.SharesAMethodWith(route)))
            {
                if (other.Matches(path))
                {
                    overlaps.Add($"{route.Name} ({string.Join(',', route.Methods)} {path}) is matched by {other.Name} ({other.Template.TemplateText})");
                }
            }
        }

        Assert.True(routes.Count >= 30, $"only {routes.Count} HTTP functions read from functions.metadata");
        Assert.Empty(overlaps);
    }

    [Fact]
    public void The_check_finds_a_parameter_route_that_would_take_a_literal_routes_path()
    {
        var resolver = Resolver();
        var byId = Route.Create("GetShowtime", "api/showtimes/{id}", ["GET"], resolver);
        var upcoming = Route.Create("Upcoming", "api/showtimes/upcoming", ["GET"], resolver);
        var constrained = Route.Create("GetShowtime", "api/showtimes/{id:long}", ["GET"], resolver);

        Assert.True(byId.Matches(SamplePath(upcoming.Template)));
        Assert.False(constrained.Matches(SamplePath(upcoming.Template)));
        Assert.True(constrained.Matches(SamplePath(constrained.Template)));
    }

    /// <summary>A path the template matches: literals as they are, a number for an int or long parameter, a word otherwise.</summary>
    private static string SamplePath(RouteTemplate template)
        => "/" + string.Join('/', template.Segments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            { IsLiteral: true } => part.Text,
            { IsParameter: true } when part.InlineConstraints.Any(c => c.Constraint is "int" or "long") => "1",
            _ => "word",
        }))));

    private static List<Route> AppRoutes()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(LocalHostApp.AppDirectory, "host.json")))!;
        var prefix = ((string?)host["extensions"]?["http"]?["routePrefix"] ?? "api").Trim('/');
        var resolver = Resolver();
        return JsonNode.Parse(File.ReadAllText(Path.Combine(LocalHostApp.AppDirectory, "functions.metadata")))!.AsArray()
            .SelectMany(function => function!["bindings"]!.AsArray()
                .Where(b => string.Equals((string?)b!["type"], "httpTrigger", StringComparison.OrdinalIgnoreCase))
                .Select(b => Route.Create(
                    (string)function["name"]!,
                    $"{prefix}/{((string?)b!["route"] ?? (string)function["name"]!).Trim('/')}",
                    b["methods"]?.AsArray().Select(m => ((string)m!).ToUpperInvariant()).ToArray() is { Length: > 0 } methods ? methods : ["*"],
                    resolver)))
            .ToList();
    }

    private static IInlineConstraintResolver Resolver()
        => new ServiceCollection().AddRouting().BuildServiceProvider().GetRequiredService<IInlineConstraintResolver>();

    private sealed record Route(string Name, RouteTemplate Template, IReadOnlyList<string> Methods, TemplateMatcher Matcher, IReadOnlyList<(string Key, IRouteConstraint Constraint)> Constraints)
    {
        public static Route Create(string name, string template, IReadOnlyList<string> methods, IInlineConstraintResolver resolver)
        {
            var parsed = TemplateParser.Parse(template);
            var constraints = parsed.Parameters
                .SelectMany(p => p.InlineConstraints.Select(c => (p.Name!, resolver.ResolveConstraint(c.Constraint) ?? throw new InvalidOperationException($"{name}: unknown constraint {c.Constraint}"))))
                .ToList();
            return new Route(name, parsed, methods, new TemplateMatcher(parsed, new RouteValueDictionary()), constraints);
        }

        /// <summary>No methods in the metadata means every method, as in the host.</summary>
        public bool SharesAMethodWith(Route other)
            => Methods.Contains("*") || other.Methods.Contains("*") || Methods.Intersect(other.Methods).Any();

        public bool Matches(string path)
        {
            var values = new RouteValueDictionary();
            return Matcher.TryMatch(path, values)
                && Constraints.All(c => c.Constraint.Match(new DefaultHttpContext(), null, c.Key, values, RouteDirection.IncomingRequest));
        }
    }
}
