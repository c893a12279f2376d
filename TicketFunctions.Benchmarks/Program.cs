using System.Diagnostics;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Benchmarks;
using TicketFunctions.Tests.Support;

// The benchmark harness: `npm run bench` (add `-- --quick` for small sizes, `-- --only writes,seatmap` for some,
// `-- --provider sqlite` for one store). `--bare --port N` is baseline (c): bare Kestrel doing the raw work.
var options = BenchOptions.Parse(args);
if (options.BarePort is { } barePort)
{
    await Bare.RunAsync(barePort);
    return 0;
}

var clock = Stopwatch.StartNew();
var work = Path.Combine(Path.GetTempPath(), "ticketfunctions-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
Directory.CreateDirectory(work);
Console.WriteLine($"[bench] {(options.Quick ? "quick run" : "full run")}; stores {string.Join(", ", options.Providers)}; databases under {work}");

var figures = new List<Figure>();
string? postgresVersion;
var signals = Children.StopOnSignals();
await using (var azurite = await AzuriteProcess.StartAsync())
await using (var context = new BenchContext(options, azurite, work))
{
    Children.Add(azurite, () => azurite.DisposeAsync().AsTask());
    Children.Add(context, () => context.DisposeAsync().AsTask());
    // As infra/ does in Azure: the Functions host creates no trigger queue.
    await AppQueues.CreateAsync(azurite.ConnectionString);
    foreach (var (name, run) in Benchmarks.All)
    {
        if (options.Only.Count > 0 && !options.Only.Contains(name))
        {
            continue;
        }

        foreach (var provider in options.Providers)
        {
            var started = Stopwatch.StartNew();
            Console.WriteLine($"[bench] {name} on {provider} ...");
            try
            {
                foreach (var figure in await run(context, provider))
                {
                    figures.Add(figure);
                    Console.WriteLine($"[bench] {name} ({figure.Store}): {figure.Value} | (a) {figure.Raw} | (b) {figure.Reference} | (c) {figure.Bare} | ratio {figure.Ratio} | goal {figure.Goal}: {Report.MetText(figure.Met)}");
                }
            }
            catch (Exception ex)
            {
                Console.WriteLine($"[bench] {name} on {provider} failed: {ex}");
                figures.Add(Figure.Failed(name, Figure.StoreName(provider), ex));
            }

            Console.WriteLine($"[bench] {name} on {provider}: {started.Elapsed.TotalSeconds:0} s");
        }
    }

    postgresVersion = context.PostgresVersion;
    Children.Remove(context);
    Children.Remove(azurite);
}

foreach (var signal in signals)
{
    signal.Dispose();
}

var path = options.Output ?? Path.Combine(Repository.Root, "BENCHMARKS.md");
var markdown = Report.Markdown(options, figures, clock.Elapsed, postgresVersion);
await File.WriteAllTextAsync(path, markdown);
Console.WriteLine(Report.Table(figures));
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
