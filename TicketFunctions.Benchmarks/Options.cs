using System.Globalization;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

internal sealed record BenchOptions(bool Quick, IReadOnlySet<string> Only, IReadOnlyList<DbProvider> Providers, string? Output, int? BarePort)
{
    public static BenchOptions Parse(string[] args)
    {
        var quick = false;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var providers = new List<DbProvider>();
        string? output = null;
        var bare = false;
        int? port = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--only" when i + 1 < args.Length:
                    only.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--provider" when i + 1 < args.Length:
                    providers.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .Select(p => Enum.Parse<DbProvider>(p, ignoreCase: true)));
                    break;
                case "--output" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--bare" or "--hello":
                    bare = true;
                    break;
                case "--port" when i + 1 < args.Length:
                    port = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--quick] [--only {string.Join(",", Benchmarks.All.Select(b => b.Name))}] [--provider sqlite,postgres] [--output FILE]");
            }
        }

        return new BenchOptions(quick, only, providers.Count == 0 ? [DbProvider.Sqlite, DbProvider.Postgres] : providers.Distinct().ToList(), output, bare ? port ?? 0 : null);
    }

    /// <summary>The full size, or the quick one for development runs.</summary>
    public int Size(int full, int quick) => Quick ? quick : full;
}

/// <summary>What every benchmark gets: the options, the shared Azurite, a folder for its databases, the PostgreSQL server (started on first use).</summary>
internal sealed class BenchContext(BenchOptions options, AzuriteProcess azurite, string directory) : IAsyncDisposable
{
    private Task<BenchPostgres>? _postgres;

    public BenchOptions Options { get; } = options;

    public AzuriteProcess Azurite { get; } = azurite;

    public string Directory { get; } = directory;

    public string? PostgresVersion => _postgres is { IsCompletedSuccessfully: true } started ? started.Result.Version : null;

    public Task<BenchPostgres> PostgresAsync() => _postgres ??= BenchPostgres.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_postgres is { IsCompletedSuccessfully: true })
        {
            await (await _postgres).DisposeAsync();
        }
    }
}

/// <summary>
/// One row of the table: a figure on one store, what the app measured, the three baselines of the same run ((a) the raw
/// work alone, (b) the reference function on the same host and worker, (c) bare Kestrel), the ratio the goal names,
/// the goal and whether it was met; and the detail (markdown lines) for the figure's section.
/// </summary>
internal sealed record Figure(string Name, string Store, string Value, string Raw, string Reference, string Bare, string Ratio, string Goal, bool? Met, IReadOnlyList<string> Detail)
{
    public static Figure Failed(string name, string store, Exception ex)
        => new(name, store, "failed", "-", "-", "-", "-", "-", null, [$"The benchmark failed: `{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}`"]);

    public static string StoreName(DbProvider provider, int instances = 1)
        => (provider == DbProvider.Postgres ? "PostgreSQL" : "SQLite") + (instances > 1 ? $", {instances} instances" : string.Empty);
}

internal static class Benchmarks
{
    public static IReadOnlyList<(string Name, Func<BenchContext, DbProvider, Task<IReadOnlyList<Figure>>> Run)> All { get; } =
    [
        ("writes", WriteBench.RunAsync),
        ("seatmap", SeatMapBench.RunAsync),
        ("rush", RushBench.RunAsync),
        ("dbhold", DbHoldBench.RunAsync),
        ("payments", PaymentBench.RunAsync),
        ("scale", ScaleBench.RunAsync),
        ("startup", StartupBench.RunAsync),
        ("auth", AuthBench.RunAsync),
    ];
}
