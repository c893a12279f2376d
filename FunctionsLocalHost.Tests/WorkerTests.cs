using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using FunctionsLocalHost.Tests.Support;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost.Tests;

[Collection(SampleAppTests.Name)]
public sealed class WorkerTests(SampleAppFixture fixture)
{
    private SampleApp App => fixture.App;

    [Fact]
    public async Task The_worker_is_its_own_dotnet_process_started_with_the_hosts_arguments_and_environment()
    {
        var pid = App.Host.WorkerProcessId;
        Assert.NotEqual(Environment.ProcessId, pid);

        var arguments = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).TrimEnd('\0').Split('\0');
        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1]);

        Assert.Equal("dotnet", Path.GetFileName(arguments[0]));
        Assert.Equal(Path.Combine(SampleApp.Directory, "SampleApp.dll"), arguments[1]);
        var named = arguments.Skip(2).Chunk(2).ToDictionary(p => p[0], p => p[1]);
        var uri = new Uri(named["--functions-uri"]);
        Assert.Equal("127.0.0.1", uri.Host);
        Assert.Equal(uri.Host, named["--host"]);
        Assert.Equal($"{uri.Port}", named["--port"]);
        Assert.True(Guid.TryParse(named["--functions-worker-id"], out _));
        Assert.Equal(named["--functions-worker-id"], named["--workerId"]);
        Assert.Equal(named["--functions-request-id"], named["--requestId"]);
        Assert.Equal($"{int.MaxValue}", named["--functions-grpc-max-message-length"]);
        Assert.Equal($"{int.MaxValue}", named["--grpcMaxMessageLength"]);
        Assert.Equal("dotnet-isolated", environment["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal(SampleApp.Directory, environment["FUNCTIONS_WORKER_DIRECTORY"]);
        Assert.Equal(SampleApp.Directory, environment["FUNCTIONS_APPLICATION_DIRECTORY"]);
        Assert.Equal(App.Settings["OrdersQueue"], environment["OrdersQueue"]);
        Assert.Equal("true", environment["AzureWebJobs.Tick.Disabled"]);
    }

    [Fact]
    public async Task A_worker_that_exits_during_start_is_reported_at_once_with_what_it_wrote_to_stderr()
    {
        var settings = SampleApp.DefaultSettings(fixture.Azurite.ConnectionString);
        settings["Sample:FailAtStart"] = "the setting Payments:Key is missing";
        var started = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalFunctionsHost.StartAsync(SampleApp.Options(settings, new LogLines())));

        Assert.Contains("The worker process exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("The sample app refuses to start: the setting Payments:Key is missing", error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"reported after {started.Elapsed}, not at the 60 s start timeout");
    }

    [Fact]
    public async Task Stopping_the_host_lets_the_worker_exit_by_itself_on_WorkerTerminate_before_the_grace_period_ends()
    {
        var app = await SampleApp.StartAsync(fixture.Azurite);
        var pid = app.Host.WorkerProcessId;
        Assert.True(Directory.Exists($"/proc/{pid}"));
        var stopping = Stopwatch.StartNew();

        await app.DisposeAsync();

        // The host kills a worker still running after its 10 s grace period; one that heard WorkerTerminate is gone sooner.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(8), $"stopped after {stopping.Elapsed}");
        Assert.False(Directory.Exists($"/proc/{pid}"), "the worker process is gone");
        Assert.True(app.Host.Stopped.IsCompletedSuccessfully);
        Assert.Empty(app.Log.Containing("The worker process exited with code"));
    }

    [Fact]
    public async Task A_worker_that_dies_stops_the_host_which_says_so_in_its_log()
    {
        await using var app = await SampleApp.StartAsync(fixture.Azurite);

        app.Host.KillWorker();

        await app.Host.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
        var line = Assert.Single(app.Log.Containing("The worker process exited with code"));
        Assert.Equal(LogLevel.Critical, line.Level);
    }

    [Fact]
    public async Task A_function_disabled_by_its_AzureWebJobs_Disabled_setting_answers_404_and_the_others_still_run()
    {
        await using var app = await SampleApp.StartAsync(fixture.Azurite, s => s["AzureWebJobs.Hello.Disabled"] = "1");

        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync(new Uri("/sample/hello", UriKind.Relative))).StatusCode);
        var other = (await app.Http.GetAsync(new Uri("/sample/items/1", UriKind.Relative))).StatusCode;
        Assert.True(other == HttpStatusCode.OK, $"{other}; the host's log:{Environment.NewLine}{app.Log}");
        Assert.Contains(("Hello", "httpTrigger", false), app.Host.Functions);
        Assert.Contains("Hello: disabled (AzureWebJobs.Hello.Disabled)", Assert.Single(app.Log.Containing("Functions:")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_settings_Values_reach_the_host_and_the_worker_and_the_environment_wins()
    {
        // A copy of the sample's output with a local.settings.json beside it, as func start reads it.
        var directory = Directory.CreateTempSubdirectory("localhost-settings-").FullName;
        var fromEnvironment = $"SampleEnv{Guid.NewGuid():N}";
        try
        {
            foreach (var file in Directory.EnumerateFiles(SampleApp.Directory, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(directory, Path.GetRelativePath(SampleApp.Directory, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            var values = SampleApp.DefaultSettings(fixture.Azurite.ConnectionString);
            values["SampleFromFile"] = "local.settings.json";
            values[fromEnvironment] = "local.settings.json";
            await File.WriteAllTextAsync(
                Path.Combine(directory, "local.settings.json"),
                JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }),
                Encoding.UTF8);
            Environment.SetEnvironmentVariable(fromEnvironment, "environment");
            var log = new LogLines();
            await using var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
            {
                AppDirectory = directory,
                Port = 0,
                Logging = logging => logging.AddProvider(log),
            });
            using var http = new HttpClient { BaseAddress = host.BaseAddress };

            Assert.Equal("local.settings.json", await Setting(http, "SampleFromFile"));
            Assert.Equal("environment", await Setting(http, fromEnvironment));
            // The host read the file too: the disabled timer, and its queue names and Storage connection (nothing created
            // the queue, and the host asked that account about the queue the file names).
            Assert.Contains(("Tick", "timerTrigger", false), host.Functions);
            await SampleApp.EventuallyAsync(
                () => Task.FromResult(log.Containing($"Queue '{values["FailingQueue"]}' of 'Functions.AlwaysFails' does not exist")),
                l => l.Count == 1,
                "the listener to find the file's queue missing");
        }
        finally
        {
            Environment.SetEnvironmentVariable(fromEnvironment, null);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string?> Setting(HttpClient http, string name)
        => (await http.GetFromJsonAsync<JsonElement>(new Uri($"/sample/settings/{name}", UriKind.Relative))).GetProperty("value").GetString();
}
