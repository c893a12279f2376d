using System.Diagnostics;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Benchmarks;

// The benchmark harness: `npm run bench` (add `-- --quick` for small sizes, `-- --only writes,seatmap` for some).
// `--hello --port N` is the start-up baseline: a bare Kestrel process of the same kind as the app.
var options = BenchOptions.Parse(args);
if (options.HelloPort is { } helloPort)
{
    await Hello.RunAsync(helloPort);
    return 0;
}

var clock = Stopwatch.StartNew();
var work = Path.Combine(Path.GetTempPath(), "ticketfunctions-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
Directory.CreateDirectory(work);
Console.WriteLine($"[bench] {(options.Quick ? "quick run" : "full run")}; databases under {work}");

var figures = new List<Figure>();
await using (var azurite = await AzuriteProcess.StartAsync())
{
    var context = new BenchContext(options, azurite, work);
    foreach (var (name, run) in Benchmarks.All)
    {
        if (options.Only.Count > 0 && !options.Only.Contains(name))
        {
            continue;
        }

        var started = Stopwatch.StartNew();
        Console.WriteLine($"[bench] {name} ...");
        try
        {
            var figure = await run(context);
            figures.Add(figure);
            Console.WriteLine($"[bench] {name}: {figure.Value} (baseline {figure.Baseline}, ratio {figure.Ratio}, goal {figure.Goal}: {Report.MetText(figure.Met)}) in {started.Elapsed.TotalSeconds:0} s");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"[bench] {name} failed: {ex}");
            figures.Add(Figure.Failed(name, ex));
        }
    }
}

var path = options.Output ?? Path.Combine(Repository.Root, "BENCHMARKS.md");
await File.WriteAllTextAsync(path, Report.Markdown(options, figures, clock.Elapsed));
Console.WriteLine($"[bench] wrote {path}; total {clock.Elapsed.TotalMinutes:0.0} min");
try
{
    Directory.Delete(work, recursive: true);
}
catch (IOException)
{
    // A leftover temp folder is harmless.
}

return figures.Any(f => f.Met is null) ? 1 : 0;
