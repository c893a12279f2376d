using System.Diagnostics;
using System.Globalization;
using FunctionsLocalHost.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// 6. Start-up: process start to the first 200 from /api/health, spawning the local host with the built Release app
/// (host process, then its worker process) several times (a fresh database each time, so migrations are included), against a bare Kestrel process of
/// the same kind (`dotnet` + ASP.NET Core, this assembly in <c>--hello</c> mode) measured alternately in the same run.
/// </summary>
internal static class StartupBench
{
    public static async Task<Figure> RunAsync(BenchContext context)
    {
        var runs = context.Options.Size(7, 3);
        var appDll = BenchApp.HostDll;
        if (!File.Exists(appDll))
        {
            throw new InvalidOperationException($"{appDll} is missing: build it first (dotnet build FunctionsLocalHost -c {Repository.Configuration}).");
        }

        var helloDll = typeof(StartupBench).Assembly.Location;
        // One spawn of each first, not counted: the first start after a build also reads the files into the page cache.
        await TimeAsync(appDll, AzuriteProcess.FreePort(), Environment(context, Path.Combine(context.Directory, "startup", "warm", "ticketfunctions.db")), AppArguments);
        await TimeAsync(helloDll, AzuriteProcess.FreePort(), [], ["--hello"]);

        var app = new List<double>();
        var hello = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var port = AzuriteProcess.FreePort();
            var database = Path.Combine(context.Directory, "startup", $"run{i}", "ticketfunctions.db");
            app.Add(await TimeAsync(appDll, port, Environment(context, database), AppArguments));
            hello.Add(await TimeAsync(helloDll, AzuriteProcess.FreePort(), [], ["--hello"]));
        }

        var appSorted = app.Order().ToArray();
        var helloSorted = hello.Order().ToArray();
        var appP50 = LoadResult.Percentile(appSorted, 0.5);
        var helloP50 = LoadResult.Percentile(helloSorted, 0.5);
        return new Figure(
            "startup",
            $"p50 {Report.Ms(appP50)}, max {Report.Ms(appSorted[^1])}",
            $"bare Kestrel p50 {Report.Ms(helloP50)}, max {Report.Ms(helloSorted[^1])}",
            $"{appP50 / helloP50:0.00}x",
            "< 2 s",
            appP50 < 2000,
            [
                $"`dotnet {Path.GetRelativePath(Repository.Root, appDll)} --script-root {Path.GetRelativePath(Repository.Root, BenchApp.AppDirectory)} --port N` (the host starts the app's worker process and answers once every function is loaded) with AzureWebJobsStorage (the bench's Azurite), Database__Path (a fresh file each run: "
                + "the migrations are part of the start) and Jwt__SigningKey in the environment; the clock runs from just before the process is spawned to the first 200 "
                + "from GET /api/health (database and queue checked), polled every 10 ms. Baseline: `dotnet TicketFunctions.Benchmarks.dll --hello --port N`, a bare "
                + $"Kestrel minimal API answering /api/health, spawned and polled the same way, alternating with the app; {runs} runs each, after one uncounted spawn of each (the page cache).",
                string.Empty,
                "| process | runs | p50 | max | each run |",
                "|---|---|---|---|---|",
                $"| app | {runs} | {Report.Ms(appP50)} | {Report.Ms(appSorted[^1])} | {string.Join(", ", app.Select(a => Report.Num(a)))} ms |",
                $"| bare Kestrel | {runs} | {Report.Ms(helloP50)} | {Report.Ms(helloSorted[^1])} | {string.Join(", ", hello.Select(a => Report.Num(a)))} ms |",
                .. (appP50 < 2000 ? Array.Empty<string>() : [string.Empty, "**Goal missed.** Compare with the bare process's figure in the same run: the difference is the app's own start "
                    + "(configuration validation, migrations on a fresh file, queue creation in Azurite), the rest is the runtime and the shared cores."]),
            ]);
    }

    private static string[] AppArguments => ["--script-root", BenchApp.AppDirectory];

    private static Dictionary<string, string> Environment(BenchContext context, string database) => new()
    {
        ["AzureWebJobsStorage"] = context.Azurite.ConnectionString,
        ["Database__Path"] = database,
        ["Jwt__SigningKey"] = BenchApp.SigningKey,
        ["Payments__ResendSchedule"] = "0 * * * * *",
    };

    private static async Task<double> TimeAsync(string dll, int port, Dictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1), UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri($"http://127.0.0.1:{port}/api/health");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"dotnet {Path.GetFileName(dll)} exited with code {process.ExitCode} before answering.");
                }

                try
                {
                    using var response = await http.GetAsync(health);
                    if (response.IsSuccessStatusCode)
                    {
                        return clock.Elapsed.TotalMilliseconds;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                await Task.Delay(10);
            }

            throw new TimeoutException($"dotnet {Path.GetFileName(dll)} did not answer 200 on /api/health within 60 s.");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}

/// <summary>The start-up baseline: a bare Kestrel minimal API, the same kind of process as the app.</summary>
internal static class Hello
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://localhost:{port}");
        var app = builder.Build();
        app.MapGet("/api/health", () => Results.Text("{\"status\":\"Healthy\"}", "application/json"));
        await app.RunAsync();
    }
}
