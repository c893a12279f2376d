using System.Diagnostics;
using System.Reflection;
using FunctionsLocalHost.Tests.Support;

namespace TicketFunctions.Tests.Telemetry;

/// <summary>
/// The Aspire dashboard from its NuGet package, run as a plain executable on free loopback ports: an anonymous
/// browser UI and an OTLP/HTTP endpoint, as <c>npm start -- --telemetry</c> runs it. Its telemetry lives in memory.
/// </summary>
internal sealed class AspireDashboard : IAsyncDisposable
{
    public static readonly string ExecutablePath = typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AspireDashboardPath").Value!;

    private readonly Process _process;

    private AspireDashboard(Process process, Uri frontend, Uri otlp)
    {
        _process = process;
        Frontend = frontend;
        OtlpHttp = otlp;
    }

    public Uri Frontend { get; }

    public Uri OtlpHttp { get; }

    /// <summary>The settings that point the app's worker at the dashboard.</summary>
    public Dictionary<string, string?> AppSettings() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = OtlpHttp.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    public static async Task<AspireDashboard> StartAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"The Aspire dashboard is missing ({ExecutablePath}): building TicketFunctions.Tests restores it.");
        var frontend = new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}");
        var otlp = new Uri($"http://127.0.0.1:{AzuriteProcess.FreePort()}");
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = Path.GetDirectoryName(ExecutablePath)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = frontend.ToString();
        start.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = otlp.ToString();
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{AzuriteProcess.FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["DOTNET_DASHBOARD_TELEMETRY_OPTOUT"] = "true";

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (e.Data.Contains("OTLP/HTTP listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The Aspire dashboard exited:\n" + string.Join('\n', output)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dashboard = new AspireDashboard(process, frontend, otlp);
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return dashboard;
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
