using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

namespace FunctionsLocalHost.Tests;

/// <summary>
/// When two routes match one request, the function first in name order (ignoring case) whose template, constraints and
/// methods match answers, however specific the other route is. As azure-functions-host builds its route table:
/// src/WebJobs.Script/Host/FunctionMetadataManager.cs (LoadFunctionMetadata sorts the functions by name,
/// OrdinalIgnoreCase), src/WebJobs.Script/Host/ScriptHost.cs (ScriptHost.Functions keeps that order),
/// src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs (one route per function in that order, its methods an
/// HttpMethodRouteConstraint), azure-webjobs-sdk-extensions src/WebJobs.Extensions.Http/Routing/WebJobsRouteBuilder.cs
/// and WebJobsRouter.cs (the routes go into one ASP.NET Core RouteCollection, where the first route that handles the
/// request wins), and src/WebJobs.Script.WebHost/Middleware/FunctionInvocationMiddleware.cs (a disabled function's
/// route still matches and answers 404).
/// </summary>
[Collection(SampleAppTests.Name)]
public sealed class RouteOrderTests(SampleAppFixture fixture)
{
    private SampleApp App => fixture.App;

    [Theory]
    // "Thing" sorts before "ThingsNew": its parameter takes the literal path.
    [InlineData("GET", "things/new", "Thing")]
    [InlineData("GET", "things/42", "Thing")]
    // Thing takes GET only: its methods constraint fails, so the next route in order gets the POST.
    [InlineData("POST", "things/new", "ThingsNew")]
    // "DocsLatest" sorts before "DocsPage": here the literal is first and wins.
    [InlineData("GET", "docs/latest", "DocsLatest")]
    [InlineData("GET", "docs/intro", "DocsPage")]
    // Ignoring case "pageFallback" sorts before "PageHome": the catch-all takes the literal path.
    [InlineData("GET", "pages/home", "pageFallback")]
    [InlineData("GET", "pages/a/b", "pageFallback")]
    public async Task Of_two_routes_that_match_a_request_the_function_first_in_name_order_answers(string method, string path, string winner)
    {
        using var response = await App.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri($"/sample/{path}", UriKind.Relative)));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {response.StatusCode}");
        Assert.Equal(winner, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("function").GetString());
    }

    [Fact]
    public async Task A_disabled_function_keeps_its_route_so_a_request_it_matches_first_answers_404_instead_of_reaching_the_next_route()
    {
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s => s["AzureWebJobs.Thing.Disabled"] = "true");

        using var shadowed = await app.Http.GetAsync(new Uri("/sample/things/new", UriKind.Relative));
        using var post = await app.Http.PostAsync(new Uri("/sample/things/new", UriKind.Relative), content: null);

        Assert.Equal(HttpStatusCode.NotFound, shadowed.StatusCode);
        // The disabled route takes GET only, so a POST still falls through to ThingsNew.
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("ThingsNew", (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("function").GetString());
    }
}
