using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

using FunctionsLocalHost.Tests.Support;

namespace FunctionsLocalHost.Tests;

/// <summary>The host as developers run it: <c>dotnet FunctionsLocalHost.dll --script-root &lt;app output&gt; --port N</c>.</summary>
[Collection(SampleAppTests.Name)]
public sealed class CommandLineTests(SampleAppFixture fixture)
{
    private static readonly string HostDll = Path.Combine(AppContext.BaseDirectory, "FunctionsLocalHost.dll");

    [Fact]
    public async Task The_host_serves_on_the_port_it_is_given_and_stops_its_worker_on_SIGTERM()
    {
        var port = FreePort();
        using var process = Start(["--script-root", SampleApp.Directory, "--port", port.ToString(CultureInfo.InvariantCulture)],
            SampleApp.DefaultSettings(fixture.Azurite.ConnectionString), out var output);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
            var status = await SampleApp.EventuallyAsync(
                async () =>
                {
                    try
                    {
                        return (await http.GetAsync(new Uri("/sample/hello", UriKind.Relative))).StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        return HttpStatusCode.ServiceUnavailable;
                    }
                },
                s => s == HttpStatusCode.OK || process.HasExited,
                "the host to answer",
                TimeSpan.FromSeconds(60));
            Assert.True(status == HttpStatusCode.OK, $"{status}; the host said: {output}");
            var worker = Children(process.Id).Single();

            Assert.Equal(0, await TerminateAsync(process.Id));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(0, process.ExitCode);
            Assert.False(Directory.Exists($"/proc/{worker}"), "the worker process is gone");
            Assert.Contains($"Hello: [GET] http://localhost:{port}/sample/hello", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task A_worker_that_cannot_be_kept_running_stops_the_host_with_exit_code_1_and_the_workers_last_output()
    {
        // azure-functions-host RpcFunctionInvocationDispatcher.StartWorkerChannel: past the restart limit the host
        // logs "Exceeded language worker restart retry count" and stops the application.
        var port = FreePort();
        var marker = Path.Combine(Path.GetTempPath(), $"localhost-fail-{Guid.NewGuid():N}");
        var settings = SampleApp.DefaultSettings(fixture.Azurite.ConnectionString);
        settings["Sample:FailAtStartOnceFileExists"] = marker;
        using var process = Start(["--script-root", SampleApp.Directory, "--port", port.ToString(CultureInfo.InvariantCulture)], settings, out var output);
        try
        {
            await SampleApp.EventuallyAsync(
                () => Task.FromResult(output.ToString()), o => o.Contains("Functions:", StringComparison.Ordinal) || process.HasExited, "the host to start", TimeSpan.FromSeconds(60));
            await File.WriteAllTextAsync(marker, "every new worker refuses to start");

            Assert.Equal(0, await SignalAsync("KILL", Children(process.Id).Single()));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));

            Assert.Equal(1, process.ExitCode);
            var text = output.ToString();
            Assert.Contains("The host stops: Exceeded language worker restart retry count for runtime:dotnet-isolated.", text, StringComparison.Ordinal);
            Assert.Contains($"The sample app refuses to start: {marker} exists", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(marker);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task An_unknown_argument_exits_with_code_2_and_the_usage()
    {
        using var process = Start(["--verbose"], new Dictionary<string, string?>(), out var output);

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Cannot use '--verbose'", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: FunctionsLocalHost [--script-root <app output folder>] [--port N", output.ToString(), StringComparison.Ordinal);
    }

    private static Process Start(string[] arguments, IReadOnlyDictionary<string, string?> settings, out StringBuilder output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            // Not the repository: no local.settings.json of a developer's can be found from here.
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // App settings as environment variables, as a shell or CI would give them.
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var text = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = text;
        return process;
    }

    private static IEnumerable<int> Children(int pid)
        => Directory.EnumerateDirectories($"/proc/{pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends SIGTERM, as a service manager or <c>docker stop</c> would.</summary>
    private static Task<int> TerminateAsync(int pid) => SignalAsync("TERM", pid);

    private static async Task<int> SignalAsync(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        return kill.ExitCode;
    }
}
