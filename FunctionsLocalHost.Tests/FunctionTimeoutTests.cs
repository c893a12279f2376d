using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost.Tests;

/// <summary>
/// host.json <c>functionTimeout</c> as azure-functions-host reads it (src/WebJobs.Script/Config/ScriptJobHostOptionsSetup.cs,
/// the plan from src/WebJobs.Script/Environment/EnvironmentExtensions.cs) and a timeout as azure-webjobs-sdk handles it
/// (src/Microsoft.Azure.WebJobs.Host/Executors/FunctionExecutor.cs: OnFunctionTimeout's error line, TryHandleTimeoutAsync's
/// cancellation and FunctionTimeoutException), then the host's reaction (azure-functions-host
/// src/WebJobs.Script.WebHost/WebScriptHostExceptionHandler.cs OnTimeoutExceptionAsync: the worker is restarted when the
/// invocation has not ended within TimeoutAttribute's 2 s grace period) and the HTTP answer
/// (src/WebJobs.Script.WebHost/Middleware/ExceptionMiddleware.cs: a bare 500).
/// </summary>
[Collection(SampleAppTests.Name)]
public sealed class FunctionTimeoutTests(SampleAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task An_invocation_past_functionTimeout_that_ignores_its_cancellation_gets_500_and_its_worker_is_replaced()
    {
        await using var app = await StartAsync();
        var first = app.Host.WorkerProcessId;
        var started = Stopwatch.StartNew();

        using var response = await app.Http.GetAsync(new Uri("/sample/lifecycle/hang", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.True(started.Elapsed >= Timeout, $"answered after {started.Elapsed}, before the timeout");
        var executed = Assert.Single(app.Log.Containing("Executed 'Functions.Hang' (Failed"));
        Assert.Equal("Timeout value of 00:00:02 was exceeded by function: Functions.Hang", executed.Exception?.Message);
        var id = InvocationId(executed.Message);
        var exceeded = Assert.Single(app.Log.Containing($"Timeout value of 00:00:02 exceeded by function 'Functions.Hang' (Id: '{id}'). Initiating cancellation."));
        Assert.Equal(LogLevel.Error, exceeded.Level);

        await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing("Restart of language worker process(es) completed.").Count), n => n == 1, "the worker restart");
        Assert.Single(app.Log.Containing($"A function timeout has occurred. Restarting worker process executing invocationId '{id}'."));
        var served = await app.ServingProcessIdAsync();
        Assert.NotEqual(first, served);
        Assert.Equal(app.Host.WorkerProcessId, served);
        // A restart the host asks for is not a worker error: none is counted.
        Assert.Single(app.Log.Containing("Restarting the worker process (0 of 3 errors within 30 minutes)"));
        Assert.Empty(app.Log.Containing("Language Worker Process exited. Pid="));
    }

    [Fact]
    public async Task An_invocation_past_functionTimeout_is_cancelled_in_the_worker_and_one_that_ends_keeps_its_worker()
    {
        await using var app = await StartAsync();
        var pid = app.Host.WorkerProcessId;

        using var response = await app.Http.GetAsync(new Uri("/sample/lifecycle/cancellable", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var executed = Assert.Single(app.Log.Containing("Executed 'Functions.Cancellable' (Failed"));
        Assert.Equal("Timeout value of 00:00:02 was exceeded by function: Functions.Cancellable", executed.Exception?.Message);
        var id = InvocationId(executed.Message);
        // The worker heard InvocationCancel, and its invocation ended within the grace period.
        await SampleApp.EventuallyAsync(
            () => Task.FromResult(app.Log.Containing($"The timed-out invocation '{id}' ended within the grace period").Count), n => n == 1, "the invocation to end");
        Assert.Single(app.Log.Containing($"Cancellable saw its cancellation in process {pid}"));
        Assert.Empty(app.Log.Containing("A function timeout has occurred."));
        Assert.Equal(pid, await app.ServingProcessIdAsync());
    }

    [Fact]
    public async Task A_function_that_ends_within_functionTimeout_is_not_touched()
    {
        await using var app = await StartAsync();

        using var response = await app.Http.GetAsync(new Uri("/sample/hello", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(app.Log.Containing("Executed 'Functions.Hello' (Succeeded"));
        Assert.Empty(app.Log.Containing("Timeout value of"));
    }

    [Theory]
    [InlineData(null, null, "00:30:00")]
    [InlineData(null, "ElasticPremium", "00:30:00")]
    [InlineData(null, "FlexConsumption", "00:30:00")]
    [InlineData(null, "Dynamic", "00:05:00")]
    [InlineData("00:00:01", null, "00:00:01")]
    [InlineData("02:00:00", null, "02:00:00")]
    [InlineData("00:10:00", "Dynamic", "00:10:00")]
    [InlineData("-1", null, null)]
    [InlineData("-1", "FlexConsumption", null)]
    public void FunctionTimeout_has_the_real_hosts_default_for_the_plan_and_minus_one_means_none_where_the_plan_allows_it(string? value, string? sku, string? expected)
    {
        Assert.Equal(expected is null ? null : TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), FunctionTimeoutSetting.Read(Configuration(value, sku)));
    }

    [Theory]
    [InlineData("00:00:00.500", null, "FunctionTimeout must be greater than 00:00:01 and less than 10675199.02:48:05.4775807.")]
    [InlineData("00:10:01", "Dynamic", "FunctionTimeout must be greater than 00:00:01 and less than 00:10:00.")]
    [InlineData("-1", "Dynamic", "FunctionTimeout must be greater than 00:00:01 and less than 00:10:00.")]
    [InlineData("soon", null, "host.json functionTimeout (AzureFunctionsJobHost:functionTimeout) is 'soon'; expected a time span (hh:mm:ss), or -1 for no limit.")]
    public void A_functionTimeout_out_of_the_plans_bounds_stops_the_start_in_the_real_hosts_words(string value, string? sku, string message)
    {
        Assert.Equal(message, Assert.Throws<InvalidOperationException>(() => FunctionTimeoutSetting.Read(Configuration(value, sku))).Message);
    }

    private Task<SampleApp> StartAsync()
        // The real host's own override of a host.json value: an AzureFunctionsJobHost__ app setting.
        => SampleApp.StartAsync(fixture.Azurite, s => s["AzureFunctionsJobHost__functionTimeout"] = Timeout.ToString());

    private static IConfiguration Configuration(string? functionTimeout, string? sku)
        => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:functionTimeout"] = functionTimeout,
            ["WEBSITE_SKU"] = sku,
        }).Build();

    /// <summary>The Id=... of an Executing or Executed line.</summary>
    private static string InvocationId(string line)
    {
        var start = line.IndexOf("Id=", StringComparison.Ordinal) + 3;
        return line[start..line.IndexOfAny([',', ')'], start)];
    }
}
