using System.Diagnostics;
using FunctionsLocalHost.Tests.Support;

using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// 5. Start-up: process start to the first 200 from /api/health, spawning the local host with the built Release app
/// (host process, then its worker process; a fresh database each time, so migrations are included), beside (b) the
/// same host with the reference app and (c) a bare Kestrel process (this assembly in <c>--bare</c> mode), measured
/// alternately in the same run.
/// </summary>
internal static class StartupBench
{
    private const double Goal = 2500;

    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context, DbProvider provider)
    {
        var runs = context.Options.Size(5, 2);
        if (!File.Exists(ServerProcess.HostDll))
        {
            throw new InvalidOperationException($"{ServerProcess.HostDll} is missing: build it first (dotnet build FunctionsLocalHost -c {Repository.Configuration}).");
        }

        // The baselines answer /api/health with a `SELECT 1` on a database that exists; the app migrates a new one each run.
        await using var existing = await BenchDatabase.CreateAsync(context, provider, "startup-baselines");
        async Task<double> AppAsync()
        {
            await using var fresh = await BenchDatabase.CreateAsync(context, provider, "startup", migrated: false);
            return await TimeAsync(ServerKind.App, fresh.Environment);
        }

        // One spawn of each first, not counted: the first start after a build also reads the files into the page cache.
        await AppAsync();
        await TimeAsync(ServerKind.Reference, existing.Environment);
        await TimeAsync(ServerKind.Bare, existing.Environment);

        var app = new List<double>();
        var reference = new List<double>();
        var bare = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            app.Add(await AppAsync());
            reference.Add(await TimeAsync(ServerKind.Reference, existing.Environment));
            bare.Add(await TimeAsync(ServerKind.Bare, existing.Environment));
        }

        static double P50(List<double> values) => LoadResult.Percentile([.. values.Order()], 0.5);
        var met = P50(app) < Goal;
        string Line(string name, List<double> values) => $"| {name} | {values.Count} | {Report.Ms(P50(values))} | {Report.Ms(values.Max())} | {string.Join(", ", values.Select(a => Report.Num(a)))} ms |";
        var (hostDll, _) = ServerProcess.CommandLine(ServerKind.App);
        return
        [
            new Figure(
                "startup",
                Figure.StoreName(provider),
                $"p50 {Report.Ms(P50(app))}, max {Report.Ms(app.Max())}",
                "-",
                $"p50 {Report.Ms(P50(reference))}",
                $"p50 {Report.Ms(P50(bare))}",
                $"{P50(app) / P50(reference):0.00}x (b)",
                "host + worker to first 200 < 2.5 s",
                met,
                [
                    $"**{Figure.StoreName(provider)}.** `dotnet {Path.GetRelativePath(Repository.Root, hostDll)} --script-root {Path.GetRelativePath(Repository.Root, ServerProcess.AppDirectory)} --port N` "
                    + "(the host starts the app's worker process and answers once every function is loaded) with AzureWebJobsStorage (the bench's Azurite), "
                    + (provider == DbProvider.Sqlite ? "Database__Path (a new file each run" : "Database__Provider postgres and Database__ConnectionString (a new, empty database each run")
                    + ": the migrations are part of the start) and Jwt__SigningKey in the environment; the clock runs from just before the process is spawned to "
                    + "the first 200 from GET /api/health (database and queue checked), polled every 10 ms. (b): the same host with the reference app "
                    + $"(`--script-root {Path.GetRelativePath(Repository.Root, ServerProcess.ReferenceDirectory)}`), whose /api/health runs `SELECT 1`; (c): "
                    + $"`dotnet TicketFunctions.Benchmarks.dll --bare --port N`, the same on bare Kestrel; spawned and polled the same way, alternating; {runs} runs "
                    + "each, after one uncounted spawn of each (the page cache).",
                    string.Empty,
                    "| process | runs | p50 | max | each run |",
                    "|---|---|---|---|---|",
                    Line("app (host + worker)", app),
                    Line("(b) reference app (host + worker)", reference),
                    Line("(c) bare Kestrel", bare),
                    .. (met ? Array.Empty<string>() : [string.Empty, "**Goal missed.** The difference to (b) is the app's own start "
                        + "(configuration validation, migrations on a new database, its functions' load); (b) is the host and worker themselves."]),
                ]),
        ];
    }

    private static async Task<double> TimeAsync(ServerKind kind, IReadOnlyDictionary<string, string> environment)
    {
        var port = AzuriteProcess.FreePort();
        var start = ServerProcess.StartInfo(kind, environment, port);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1), UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri($"http://127.0.0.1:{port}/api/health");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        Children.Add(process, () =>
        {
            process.Kill(entireProcessTree: true);
            return process.WaitForExitAsync();
        });
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
                    throw new InvalidOperationException($"The {kind} process exited with code {process.ExitCode} before answering.");
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

            throw new TimeoutException($"The {kind} process did not answer 200 on /api/health within 60 s.");
        }
        finally
        {
            Children.Remove(process);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
