using System.Globalization;
using FunctionsLocalHost.Tests.Support;

namespace TicketFunctions.Benchmarks;

internal sealed record BenchOptions(bool Quick, IReadOnlySet<string> Only, string? Output, int? HelloPort)
{
    public static BenchOptions Parse(string[] args)
    {
        var quick = false;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? output = null;
        int? hello = null;
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
                case "--output" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--hello":
                    hello = 0;
                    break;
                case "--port" when i + 1 < args.Length:
                    hello = hello is null ? null : int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--quick] [--only {string.Join(",", Benchmarks.All.Select(b => b.Name))}] [--output FILE]");
            }
        }

        return new BenchOptions(quick, only, output, hello);
    }

    /// <summary>The full size, or the quick one for development runs.</summary>
    public int Size(int full, int quick) => Quick ? quick : full;
}

/// <summary>What every benchmark gets: the options, the shared Azurite, a folder for its databases.</summary>
internal sealed record BenchContext(BenchOptions Options, AzuriteProcess Azurite, string Directory)
{
    public string Database(string name) => Path.Combine(Directory, name, "ticketfunctions.db");
}

/// <summary>One figure of the table and its detail (markdown lines).</summary>
internal sealed record Figure(string Name, string Value, string Baseline, string Ratio, string Goal, bool? Met, IReadOnlyList<string> Detail)
{
    public static Figure Failed(string name, Exception ex)
        => new(name, "failed", "-", "-", "-", null, [$"The benchmark failed: `{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}`"]);
}

internal static class Benchmarks
{
    public static IReadOnlyList<(string Name, Func<BenchContext, Task<Figure>> Run)> All { get; } =
    [
        ("writes", WriteBench.RunAsync),
        ("seatmap", SeatMapBench.RunAsync),
        ("rush", RushBench.RunAsync),
        ("payments", PaymentBench.RunAsync),
        ("scale", ScaleBench.RunAsync),
        ("startup", StartupBench.RunAsync),
    ];
}
