using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace TicketFunctions.Benchmarks;

/// <summary>Writes BENCHMARKS.md: the command, the machine, the table, then each figure's detail.</summary>
internal static class Report
{
    public const string Command = "npm run bench";

    public static string MetText(bool? met) => met switch { true => "met", false => "NOT met", null => "failed" };

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    public static string Num(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A load run as one table row: requests, errors, p50/p95/p99/max, throughput, statuses.</summary>
    public static string Row(string what, LoadResult r)
        => $"| {what} | {r.Requests} | {r.Errors} | {Ms(r.P50)} | {Ms(r.P95)} | {Ms(r.P99)} | {Ms(r.Max)} | {Num(r.Throughput, "0.0")}/s | {r.StatusText} |";

    public const string RowHeader = "| run | requests | errors | p50 | p95 | p99 | max | throughput | statuses |\n|---|---|---|---|---|---|---|---|---|";

    public static string Markdown(BenchOptions options, IReadOnlyList<Figure> figures, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Written by the benchmark harness (`TicketFunctions.Benchmarks/`); every number below was measured in the run described here, and is rewritten by the next run.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{Command}{(options.Quick ? " -- --quick" : string.Empty)}`{(options.Quick ? " (**quick run: small sizes, for development; the full run is `npm run bench`**)" : string.Empty)}"
            + $" = `node scripts/dev.mjs bench` = `dotnet run -c Release --project TicketFunctions.Benchmarks`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; whole run {elapsed.TotalMinutes:0.0} min");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {MemoryGiB()} GiB RAM, {OsName()}, {RuntimeInformation.FrameworkDescription} (SDK {SdkVersion()}), SQLite {SqliteVersion()}");
        text.AppendLine("- The app runs as Azure runs it: its Release build's worker process (`dotnet TicketFunctions.dll`) under the local host, which this process hosts (gRPC to the worker, each HTTP request forwarded with YARP to the worker's own Kestrel, no log provider so log lines are not measured), with queues on a real Azurite (in memory) and SQLite files in the temp folder. The load generator is in this process too (closed-loop `HttpClient` workers over one `SocketsHttpHandler`) and drives each figure and its baseline alike. **The extra hop:** compared with the 2026-11-25 run on the in-process compatibility host (759 holds/s, seat map 4214 req/s, rush p95 698 ms, payment p50 11 ms, start-up p50 963 ms), every HTTP request now crosses two Kestrels, a YARP forward and a gRPC invocation round trip on the same 2 cores, and start-up is two processes (host, then worker) with the worker's function load: that is what these figures pay for running Microsoft's real worker.");
        text.AppendLine("- **The machine's 2 cores are shared** with whatever else ran at the time (other engineers' builds and tests): figures are noisy, "
            + "which is why each one sits beside a baseline measured in the same run, and the ratio is the number to read.");
        text.AppendLine();
        text.AppendLine("| # | figure | measured | baseline (same run) | ratio | goal | result |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        for (var i = 0; i < figures.Count; i++)
        {
            var f = figures[i];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {Title(f.Name)} | {f.Value} | {f.Baseline} | {f.Ratio} | {f.Goal} | {MetText(f.Met)} |");
        }

        for (var i = 0; i < figures.Count; i++)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {i + 1}. {Title(figures[i].Name)}");
            text.AppendLine();
            foreach (var line in figures[i].Detail)
            {
                text.AppendLine(line);
            }
        }

        return text.ToString();
    }

    private static string Title(string name) => name switch
    {
        "writes" => "Booking writes",
        "seatmap" => "Seat-map reads",
        "rush" => "Booking rush",
        "payments" => "Payment latency",
        "scale" => "Scale",
        "startup" => "Start-up",
        _ => name,
    };

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string MemoryGiB()
        => Num(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024, "0.0");

    private static string OsName()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.OSDescription : $"{line["PRETTY_NAME=".Length..].Trim('"')} (kernel {Environment.OSVersion.Version})";
        }
        catch (IOException)
        {
            return RuntimeInformation.OSDescription;
        }
    }

    private static string SdkVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string SqliteVersion()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    }
}
