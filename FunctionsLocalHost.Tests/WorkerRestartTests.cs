using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost.Tests;

/// <summary>
/// A worker that exits is replaced by a new process, with a new stream, init request and function loads, as
/// azure-functions-host's RpcFunctionInvocationDispatcher does (src/WebJobs.Script/Workers/Rpc/FunctionRegistration/
/// RpcFunctionInvocationDispatcher.cs: WorkerError, DisposeAndRestartWorkerChannel, StartWorkerChannel,
/// AddOrUpdateErrorBucket), the exit seen as src/WebJobs.Script/Workers/ProcessManagement/WorkerProcess.cs
/// OnProcessExited sees it, the dead worker's invocations failed as JobHostRpcWorkerChannelManager
/// .ShutdownChannelIfExistsAsync and GrpcWorkerChannel.TryFailExecutions fail them.
/// </summary>
[Collection(SampleAppTests.Name)]
public sealed class WorkerRestartTests(SampleAppFixture fixture)
{
    [Fact]
    public async Task A_killed_worker_is_replaced_by_a_new_process_that_serves_again_and_its_in_flight_request_gets_500()
    {
        await using var app = await SampleApp.StartAsync(fixture.Azurite);
        var killed = app.Host.WorkerProcessId;
        Assert.Equal(killed, await app.ServingProcessIdAsync());
        var hanging = app.Http.GetAsync(new Uri("/sample/lifecycle/hang", UriKind.Relative));
        await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing($"Hang started in process {killed}").Count), n => n == 1, "the worker to run Hang");

        app.Host.KillWorker();

        using var inFlight = await hanging;
        Assert.Equal(HttpStatusCode.InternalServerError, inFlight.StatusCode);
        Assert.Empty(await inFlight.Content.ReadAsByteArrayAsync());
        // Once the host has seen the exit, a request waits for the new worker instead of failing.
        await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing($"Language Worker Process exited. Pid={killed}.").Count), n => n == 1, "the host to see the exit");
        var served = await app.ServingProcessIdAsync();
        Assert.NotEqual(killed, served);
        Assert.Equal(app.Host.WorkerProcessId, served);
        Assert.False(Directory.Exists($"/proc/{killed}"), "the killed worker is gone");
        // The new worker got the load requests: a function with a bound route value runs there.
        using var item = await app.Http.GetAsync(new Uri("/sample/items/7", UriKind.Relative));
        Assert.Equal(7, (await item.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32());

        var exit = Assert.Single(app.Log.Containing($"Language Worker Process exited. Pid={killed}."));
        Assert.Equal(LogLevel.Error, exit.Level);
        Assert.Equal("dotnet exited with code 137 (0x89)", exit.Exception?.Message);
        Assert.Equal(2, app.Log.Containing("Worker process started and initialized.").Count);
        Assert.Single(app.Log.Containing("Restarting the worker process (1 of 3 errors within 30 minutes)"));
        // The in-flight invocation failed with the process's exit, as GrpcWorkerChannel.TryFailExecutions fails it.
        Assert.Equal("dotnet exited with code 137 (0x89)", Assert.Single(app.Log.Containing("Executed 'Functions.Hang' (Failed")).Exception?.Message);
        Assert.False(app.Host.Stopped.IsCompleted);
    }

    [Fact]
    public async Task A_queue_message_whose_worker_dies_is_not_deleted_but_released_and_taken_by_the_new_worker()
    {
        // The dead worker's invocation fails, and the queue listener treats it as any failure
        // (azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.Storage.Queues QueueProcessor.CompleteProcessingMessageAsync:
        // released with visibilityTimeout, 0 in the sample's host.json, until maxDequeueCount).
        await using var app = await SampleApp.StartAsync(fixture.Azurite);
        var killed = app.Host.WorkerProcessId;
        var text = $"held {Guid.NewGuid():N}";
        await app.Queue("HangQueue").SendMessageAsync(SampleApp.Base64(text));
        await SampleApp.EventuallyAsync(
            () => Task.FromResult(app.Log.Containing($"HangsOnFirstTry got '{text}' on try 1 in process {killed}").Count), n => n == 1, "the first try");

        app.Host.KillWorker();

        var report = JsonDocument.Parse(Assert.Single(await app.CollectAsync("SeenQueue", 1, TimeSpan.FromSeconds(60)))).RootElement;
        Assert.Equal(text, report.GetProperty("Text").GetString());
        Assert.Equal(2, report.GetProperty("DequeueCount").GetInt64());
        Assert.Single(app.Log.Containing($"HangsOnFirstTry got '{text}' on try 2 in process {app.Host.WorkerProcessId}"));
        Assert.NotEqual(killed, app.Host.WorkerProcessId);
        Assert.Single(app.Log.Containing("Executed 'Functions.HangsOnFirstTry' (Failed"));
        await SampleApp.EventuallyAsync(
            async () => (await app.Queue("HangQueue").GetPropertiesAsync()).Value.ApproximateMessagesCount, n => n == 0, "the message to be deleted after its success");
        Assert.Empty(await SampleApp.ReceiveAsync(app.Poison("HangQueue")));
    }

    [Fact]
    public async Task A_worker_whose_own_HTTP_port_is_taken_at_start_dies_and_its_restart_serves_on_a_port_of_its_own()
    {
        // The fresh-clone CI failure: the worker's ASP.NET Core integration picks a free port (worker
        // extensions/Worker.Extensions.Http.AspNetCore HttpUriProvider), another process takes it before its Kestrel
        // binds, and the worker exits. A restart is a new process that picks a new port and reports it as HttpUri.
        var marker = Path.Combine(Path.GetTempPath(), $"localhost-port-{Guid.NewGuid():N}");
        try
        {
            await using var app = await SampleApp.StartAsync(fixture.Azurite, s => s["Sample:LoseHttpPortOnce"] = marker);

            Assert.True(File.Exists(marker), "the first worker took the switch");
            // It dies during or just after its handshake (its Kestrel binds once it has answered the host, as in CI): a
            // request sent before the host sees the exit fails with it, one sent after waits for the new worker.
            await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing("Language Worker Process exited. Pid=").Count), n => n == 1, "the first worker to die");
            using var hello = await app.Http.GetAsync(new Uri("/sample/hello", UriKind.Relative));
            Assert.True(hello.StatusCode == HttpStatusCode.OK, $"{hello.StatusCode}; the host's log:{Environment.NewLine}{app.Log}");
            Assert.NotEmpty(app.Log.Containing("address already in use"));
            Assert.Single(app.Log.Containing("Language Worker Process exited. Pid="));
            Assert.Equal(app.Host.WorkerProcessId, await app.ServingProcessIdAsync());
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task A_worker_that_exits_with_code_200_asks_for_a_restart_and_is_not_counted_as_an_error()
    {
        // WorkerProcess.OnProcessExited: WorkerConstants.IntentionalRestartExitCode (200) raises a WorkerRestartEvent,
        // which RpcFunctionInvocationDispatcher.WorkerRestart handles without adding to the error bucket.
        await using var app = await SampleApp.StartAsync(fixture.Azurite);
        var first = app.Host.WorkerProcessId;

        using var exiting = await app.Http.GetAsync(new Uri("/sample/lifecycle/exit/200", UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, exiting.StatusCode);
        await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing("Language Worker Process exited and needs to be restarted.").Count), n => n == 1, "the restart request");
        Assert.NotEqual(first, await app.ServingProcessIdAsync());
        Assert.Empty(app.Log.Containing("Language Worker Process exited. Pid="));
        Assert.Single(app.Log.Containing("Restarting the worker process (0 of 3 errors within 30 minutes)"));
    }

    [Fact]
    public async Task A_worker_whose_restarts_all_fail_stops_the_host_at_the_third_error_with_its_last_output()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"localhost-fail-{Guid.NewGuid():N}");
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s => s["Sample:FailAtStartOnceFileExists"] = marker);
        try
        {
            await File.WriteAllTextAsync(marker, "every new worker refuses to start");
            var started = Stopwatch.StartNew();

            app.Host.KillWorker();
            // A request that comes while the workers restart waits, and fails when the host gives up: it never hangs.
            await SampleApp.EventuallyAsync(() => Task.FromResult(app.Log.Containing("Language Worker Process exited. Pid=").Count), n => n == 1, "the host to see the kill");
            var waiting = app.Http.GetAsync(new Uri("/sample/hello", UriKind.Relative));

            // The kill, then two restarts that die at start: three errors within 30 minutes, the second restart 10 s
            // after the first (ProcessRestartInterval).
            await app.Host.Stopped.WaitAsync(TimeSpan.FromSeconds(90));
            using (var answer = await waiting)
            {
                Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
            }

            Assert.True(started.Elapsed >= WorkerDispatcher.RestartInterval, $"stopped after {started.Elapsed}, before the restart interval");
            Assert.Equal(3, app.Log.Containing("Language Worker Process exited. Pid=").Count);
            Assert.Equal(2, app.Log.Containing("Restarting the worker process").Count);
            Assert.NotNull(app.Host.Failure);
            Assert.StartsWith("Exceeded language worker restart retry count for runtime:dotnet-isolated.", app.Host.Failure, StringComparison.Ordinal);
            Assert.Contains($"The sample app refuses to start: {marker} exists", app.Host.Failure, StringComparison.Ordinal);
            var stop = Assert.Single(app.Log.Containing("The host stops: Exceeded language worker restart retry count"));
            Assert.Equal(LogLevel.Critical, stop.Level);
            Assert.False(Directory.Exists($"/proc/{app.Host.WorkerProcessId}"), "no worker is left running");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task A_worker_that_exits_at_every_start_is_started_three_times_then_the_start_fails_with_what_it_wrote_to_stderr()
    {
        var settings = SampleApp.DefaultSettings(fixture.Azurite.ConnectionString);
        settings["Sample:FailAtStart"] = "the setting Payments:Key is missing";
        var log = new LogLines();
        var started = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalFunctionsHost.StartAsync(SampleApp.Options(settings, log)));

        Assert.StartsWith("Exceeded language worker restart retry count for runtime:dotnet-isolated.", error.Message, StringComparison.Ordinal);
        Assert.Contains("The worker process exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("The sample app refuses to start: the setting Payments:Key is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, log.Containing("Language Worker Process exited. Pid=").Count);
        // Reported as soon as the third worker died, not at the 60 s start timeout.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(55), $"reported after {started.Elapsed}");
    }
}
