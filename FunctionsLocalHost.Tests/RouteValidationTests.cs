using System.Text.Json;

using FunctionsLocalHost.Rpc;
using FunctionsLocalHost.Tests.Support;

namespace FunctionsLocalHost.Tests;

/// <summary>
/// The host refuses the HTTP functions the Functions host refuses, with its messages: azure-functions-host
/// src/WebJobs.Script/Host/ScriptHost.cs (ValidateFunction, ValidateHttpFunction, HttpRoutesConflict), functions taken
/// in name order as src/WebJobs.Script/Host/FunctionMetadataManager.cs sorts them.
/// </summary>
[Collection(SampleAppTests.Name)]
public sealed class RouteValidationTests(SampleAppFixture fixture)
{
    [Fact]
    public async Task An_app_with_routes_in_the_reserved_space_or_in_conflict_is_refused_at_start_with_the_real_hosts_messages()
    {
        var settings = SampleApp.DefaultSettings(fixture.Azurite.ConnectionString);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => LocalFunctionsHost.StartAsync(SampleApp.Options(settings, new LogLines(), RefusedRoutesAppDirectory)));

        Assert.Equal(
            [
                // Name order ignoring case, as the real host sorts: "Admini..." before "AdminX".
                "The 'Administrators' function is in error: The specified route conflicts with one or more built in routes.",
                "The 'AdminX' function is in error: The specified route conflicts with one or more built in routes.",
                "The 'OrdersB' function is in error: The route specified conflicts with the route defined by function 'OrdersA'.",
            ],
            error.Message.Split(Environment.NewLine));
    }

    [Theory]
    [InlineData("admin/x")]
    [InlineData("/Admin")]
    [InlineData("administrators/{id}")]
    [InlineData("runtime/webhooks/x")]
    [InlineData("RUNTIMEX")]
    public void A_route_that_starts_with_admin_or_runtime_is_refused_whatever_its_case_and_slashes(string route)
    {
        var (function, message) = Assert.Single(HttpFunctionValidation.Errors([Http("F", route, "get")]));

        Assert.Equal("F", function);
        Assert.Equal("The specified route conflicts with one or more built in routes.", message);
    }

    [Theory]
    [InlineData("manage/bookings")]
    [InlineData("api/admin")]
    [InlineData("my-runtime")]
    public void A_route_that_only_contains_admin_or_runtime_is_served(string route)
        => Assert.Empty(HttpFunctionValidation.Errors([Http("F", route, "get")]));

    [Fact]
    public void A_function_without_a_route_takes_its_name_so_a_function_named_AdminThing_is_refused()
        => Assert.Single(HttpFunctionValidation.Errors([Http("AdminThing", route: null, "get")]));

    [Fact]
    public void The_same_template_with_a_shared_method_or_with_all_methods_conflicts_and_the_later_name_is_the_one_in_error()
    {
        var errors = HttpFunctionValidation.Errors(
        [
            Http("Zeta", "orders", "post"),
            Http("Alpha", "Orders/", "get", "post"),
            Http("Mid", "orders"),
            Http("Other", "orders", "delete"),
        ]);

        Assert.Equal(
            [
                ("Mid", "The route specified conflicts with the route defined by function 'Alpha'."),
                ("Zeta", "The route specified conflicts with the route defined by function 'Alpha'."),
            ],
            errors);
    }

    [Fact]
    public void Templates_that_differ_only_in_a_constraint_or_methods_that_do_not_meet_do_not_conflict()
        => Assert.Empty(HttpFunctionValidation.Errors(
        [
            Http("A", "items/{id:int}", "get"),
            Http("B", "items/{id}", "get"),
            Http("C", "items/{id:int}", "put"),
        ]));

    [Fact]
    public void Two_functions_with_one_name_are_refused_as_not_unique()
    {
        var (function, message) = Assert.Single(HttpFunctionValidation.Errors([Http("Twin", "one", "get"), Http("Twin", "two", "get")]));

        Assert.Equal("Twin", function);
        Assert.Equal("The function or proxy name 'Twin' must be unique within the function app.", message);
    }

    private static HostedFunction Http(string name, string? route, params string[] methods)
    {
        var trigger = new Dictionary<string, object?> { ["name"] = "request", ["type"] = "httpTrigger", ["direction"] = "In", ["methods"] = methods };
        if (route is not null)
        {
            trigger["route"] = route;
        }

        var metadata = new RpcFunctionMetadata { Name = name, FunctionId = Guid.NewGuid().ToString(), EntryPoint = $"App.{name}", ScriptFile = "App.dll" };
        metadata.RawBindings.Add(JsonSerializer.Serialize(trigger));
        return HostedFunction.From(metadata);
    }

    private static string RefusedRoutesAppDirectory { get; } = SampleApp.Directory.Replace(
        $"{Path.DirectorySeparatorChar}SampleApp{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}RefusedRoutesApp{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
}
