using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

namespace FunctionsLocalHost.Tests;

[Collection(SampleAppTests.Name)]
public sealed class HttpTests(SampleAppFixture fixture)
{
    private SampleApp App => fixture.App;

    [Fact]
    public async Task Routes_live_under_the_host_json_route_prefix()
    {
        using var hello = await App.Http.GetAsync(new Uri("/sample/hello", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.Equal("hello", await hello.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await App.Http.GetAsync(new Uri("/api/hello", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await App.Http.GetAsync(new Uri("/hello", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task An_unknown_path_a_route_constraint_mismatch_and_an_unmatched_method_all_answer_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await App.Http.GetAsync(new Uri("/sample/nothing/here", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await App.Http.GetAsync(new Uri("/sample/items/abc", UriKind.Relative))).StatusCode);
        using var post = await App.Http.PostAsync(new Uri("/sample/items/1", UriKind.Relative), content: null);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }

    [Fact]
    public async Task The_request_reaches_the_worker_with_its_invocation_id_and_the_route_value_bound_to_an_int()
    {
        var body = await App.Http.GetFromJsonAsync<JsonElement>(new Uri("/sample/items/42?q=seat", UriKind.Relative));

        Assert.Equal(42, body.GetProperty("id").GetInt32());
        Assert.Equal("seat", body.GetProperty("q").GetString());
        Assert.Equal("/sample/items/42", body.GetProperty("path").GetString());
        var invocationId = body.GetProperty("invocationId").GetString();
        Assert.True(Guid.TryParse(invocationId, out _), invocationId);
        Assert.Equal(invocationId, body.GetProperty("invocationHeader").GetString());
        // The host's one line for the invocation names the same id.
        var executed = await SampleApp.EventuallyAsync(
            () => Task.FromResult(App.Log.Containing($"Executed 'Functions.Item' (Succeeded, Id={invocationId}, Duration=")),
            lines => lines.Count > 0,
            "the invocation's log line");
        Assert.Matches(@"^Executed 'Functions\.Item' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)$", Assert.Single(executed).Message);
        // And, as azure-webjobs-sdk's FunctionInstanceLogger, one line before it with the HTTP trigger's reason.
        var executing = Assert.Single(App.Log.Containing($"Executing 'Functions.Item' (Reason="));
        Assert.Equal($"Executing 'Functions.Item' (Reason='This function was programmatically called via the host APIs.', Id={invocationId})", executing.Message);
        var lines = App.Log.All.ToList();
        Assert.True(lines.IndexOf(executing) < lines.IndexOf(Assert.Single(executed)));
    }

    [Fact]
    public async Task A_failed_invocation_answers_500_without_internals_and_logs_one_failed_line_with_the_workers_exception()
    {
        var before = App.Log.Containing("Executed 'Functions.Boom' (Failed, Id=").Count;

        using var response = await App.Http.GetAsync(new Uri("/sample/boom", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("secret detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        var failed = await SampleApp.EventuallyAsync(
            () => Task.FromResult(App.Log.Containing("Executed 'Functions.Boom' (Failed, Id=")),
            lines => lines.Count > before,
            "the failed invocation's log line");
        var line = failed[^1];
        Assert.Equal(before + 1, failed.Count);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, line.Level);
        Assert.Contains("secret detail from the sample", line.Exception?.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A header value that is not ASCII, as the Functions host meets it (azure-functions-host): its Kestrel takes the
    /// value as UTF-8; the forward cannot send it (src/WebJobs.Script.Grpc/Server/DefaultHttpProxyService.cs: YARP over
    /// a SocketsHttpHandler with no header encoding, through RetryProxyHandler), so the worker never gets the request and
    /// its DefaultHttpCoordinator gives up waiting for it after FunctionStartTimeoutInSeconds (15); then
    /// GrpcWorkerChannel.InvokeResponse fails the invocation with the forwarding error (EnsureSuccessfulForwardingAsync)
    /// and src/WebJobs.Script.WebHost/Middleware/ExceptionMiddleware.cs answers 500 with no body.
    /// </summary>
    [Fact]
    public async Task A_header_value_that_is_not_ascii_never_reaches_the_function_answers_a_bare_500_after_the_workers_wait_and_the_host_serves_on()
    {
        var ran = App.Log.Containing("Probe ran with ").Count;
        var failed = App.Log.Containing("Executed 'Functions.Probe' (Failed, Id=").Count;
        using var utf8 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = App.Http.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/sample/probe", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("X-Probe", "clé");

        var watch = Stopwatch.StartNew();
        using var refused = await utf8.SendAsync(request);
        var waited = watch.Elapsed;

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Empty(await refused.Content.ReadAsByteArrayAsync());
        Assert.True(waited >= TimeSpan.FromSeconds(14) && waited < TimeSpan.FromSeconds(45), $"answered after {waited}");
        var failures = await SampleApp.EventuallyAsync(
            () => Task.FromResult(App.Log.Containing("Executed 'Functions.Probe' (Failed, Id=")),
            lines => lines.Count > failed,
            "the failed invocation's log line");
        Assert.Equal(failed + 1, failures.Count);
        Assert.Contains("Failed to proxy request with ForwarderError: Request", failures[^1].Exception?.Message, StringComparison.Ordinal);

        // The next request is served, and its line is the only one the function wrote since: the first never ran.
        var value = $"ascii-{Guid.NewGuid():N}";
        using var next = new HttpRequestMessage(HttpMethod.Get, new Uri("/sample/probe", UriKind.Relative));
        next.Headers.Add("X-Probe", value);
        using var served = await App.Http.SendAsync(next);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(value, await served.Content.ReadAsStringAsync());
        var lines = await SampleApp.EventuallyAsync(
            () => Task.FromResult(App.Log.Containing("Probe ran with ")),
            found => found.Count > ran,
            "the second request's line from the function");
        Assert.Equal($"Probe ran with {value}", Assert.Single(lines.Skip(ran)).Message);
    }

    [Fact]
    public async Task An_HttpResult_with_a_null_QueueOutput_answers_and_queues_nothing()
    {
        var processed = App.Log.Containing("Executed 'Functions.ProcessOrder'").Count;

        using var response = await App.Http.PostAsync(
            new Uri("/sample/orders", UriKind.Relative), new StringContent("null", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // The queue function would run within the 200 ms polling ceiling of the sample's host.json, sooner when woken.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(processed, App.Log.Containing("Executed 'Functions.ProcessOrder'").Count);
    }

    [Fact]
    public void The_host_logs_the_function_list_with_each_route_and_trigger_as_func_start_does()
    {
        var address = App.Host.BaseAddress.AbsoluteUri.TrimEnd('/');

        var list = Assert.Single(App.Log.Containing("Functions:")).Message;

        Assert.Contains($"Item: [GET] {address}/sample/items/{{id:int}}", list, StringComparison.Ordinal);
        Assert.Contains($"PlaceOrder: [POST] {address}/sample/orders", list, StringComparison.Ordinal);
        Assert.Contains("ProcessOrder: queueTrigger", list, StringComparison.Ordinal);
        Assert.Contains("Tick: disabled (AzureWebJobs.Tick.Disabled)", list, StringComparison.Ordinal);
        Assert.Contains(("Item", "httpTrigger", true), App.Host.Functions);
        Assert.Contains(("AlwaysFails", "queueTrigger", true), App.Host.Functions);
        Assert.Contains(("Tick", "timerTrigger", false), App.Host.Functions);
    }
}
