using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

namespace FunctionsLocalHost.Tests;

[Collection(AzuriteTests.Name)]
public sealed class HttpTriggerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Routes_live_under_the_host_json_route_prefix()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync(new Uri("/api/hello", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync(new Uri("/hello", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_function_disabled_by_its_AzureWebJobs_Disabled_setting_answers_404_and_the_others_still_run()
    {
        await using var host = await SampleHost.StartAsync(azurite, s => s["AzureWebJobs.Hello.Disabled"] = "true");

        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync(new Uri("/api/hello", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync(new Uri("/api/items/1", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_route_constraint_mismatch_answers_404_and_a_method_mismatch_405()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync(new Uri("/api/items/abc", UriKind.Relative))).StatusCode);
        using var post = await host.Http.PostAsync(new Uri("/api/items/1", UriKind.Relative), content: null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Route_values_bind_by_name_and_the_trigger_is_the_HttpRequest()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        var body = await host.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/items/42?q=seat", UriKind.Relative));

        Assert.Equal(42, body.GetProperty("id").GetInt32());
        Assert.Equal("seat", body.GetProperty("q").GetString());
        Assert.Equal("/api/items/42", body.GetProperty("path").GetString());
    }

    [Fact]
    public async Task A_CancellationToken_parameter_is_the_request_aborted_token()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        var body = await host.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/token", UriKind.Relative));

        Assert.True(body.GetProperty("requestAborted").GetBoolean());
    }

    [Fact]
    public async Task Each_invocation_gets_a_new_function_class_instance_from_DI()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        var first = await host.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/instance", UriKind.Relative));
        var second = await host.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/instance", UriKind.Relative));

        Assert.NotEqual(first.GetProperty("instance").GetInt32(), second.GetProperty("instance").GetInt32());
    }

    [Fact]
    public async Task An_unhandled_exception_answers_500_problem_json_without_details()
    {
        await using var host = await SampleHost.StartAsync(azurite);

        using var response = await host.Http.GetAsync(new Uri("/api/boom", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.DoesNotContain("secret detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_without_ConfigureFunctionsWebApplication_fails_and_says_the_fix()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => SampleHost.Build(SampleHost.DefaultSettings(azurite.ConnectionString), configureWebApplication: false));

        Assert.Contains("ConfigureFunctionsWebApplication()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_without_a_reachable_storage_service_fails_and_says_how_to_start_Azurite()
    {
        // A port nobody listens on: Azurite's, just after the fixture's own service was probed, is not it, so ask
        // the OS for a fresh one.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var settings = SampleHost.DefaultSettings(azurite.ConnectionString.Replace($":{azurite.QueuePort}/", $":{port}/", StringComparison.Ordinal));
        using var host = SampleHost.Build(settings);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains($"Cannot reach the Storage queue service at http://127.0.0.1:{port} (AzureWebJobsStorage)", error.Message, StringComparison.Ordinal);
        Assert.Contains("npx azurite", error.Message, StringComparison.Ordinal);
    }
}
