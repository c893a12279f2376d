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

    public static string Markdown(BenchOptions options, IReadOnlyList<Figure> figures, TimeSpan elapsed, string? postgresVersion)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Written by the benchmark harness (`TicketFunctions.Benchmarks/`); every number below was measured in the run described here, and is rewritten by the next run.");
        text.AppendLine();
        var arguments = string.Join(' ', new[]
        {
            options.Quick ? "--quick" : null,
            options.Only.Count > 0 ? $"--only {string.Join(',', options.Only)}" : null,
            options.Providers.Count < 2 ? $"--provider {string.Join(',', options.Providers).ToLowerInvariant()}" : null,
        }.Where(a => a is not null));
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{Command}{(arguments.Length > 0 ? " -- " + arguments : string.Empty)}`{(options.Quick ? " (**quick run: small sizes, for development; the full run is `npm run bench`**)" : string.Empty)}"
            + $" = `node scripts/dev.mjs bench` = `dotnet run -c Release --project TicketFunctions.Benchmarks`");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; whole run {elapsed.TotalMinutes:0.0} min");
        var postgres = postgresVersion is null ? string.Empty : $", PostgreSQL {postgresVersion} ({BenchPostgres.Settings})";
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {MemoryGiB()} GiB RAM, {OsName()}, {RuntimeInformation.FrameworkDescription} (SDK {SdkVersion()}), SQLite {SqliteVersion()}{postgres}");
        text.AppendLine("- **What runs where.** The app runs as a developer and Azure run it, in processes of its own: the local host's executable "
            + "(`dotnet FunctionsLocalHost/bin/Release/net10.0/FunctionsLocalHost.dll --script-root TicketFunctions/bin/Release/net10.0 --port N`, settings in "
            + "the environment, log level Warning) with the app's real worker (`dotnet TicketFunctions.dll`) as its child; every HTTP request crosses the host's "
            + "Kestrel, a YARP forward and a gRPC invocation to the worker's Kestrel. Queues are on a real Azurite (in memory); SQLite files sit in the temp "
            + "folder; PostgreSQL is a server the bench starts from Debian's packages, with a fresh database per run copied from one the app's migrations built. "
            + "The bench process is the load generator only (closed-loop `HttpClient` workers over one `SocketsHttpHandler`, or all requests released at once "
            + "for the rush): it shares no process with any server under test. Every run gets a fresh database seeded alike.");
        text.AppendLine("- **Baselines, same run, same machine.** (a) the raw work alone, in the bench process, on Microsoft.Data.Sqlite or Npgsql "
            + "(`TicketFunctions.Benchmarks.ReferenceApp/RawWork.cs`: the same rows, the same queries, the same answer bytes); (b) that raw work in an HTTP "
            + "function of a tiny reference worker app (`TicketFunctions.Benchmarks.ReferenceApp`, the same worker packages and `ConfigureFunctionsWebApplication`) "
            + "under the same local host: what the architecture costs with no app logic; (c) that raw work on bare Kestrel (a minimal API) in a process of "
            + "its own (`TicketFunctions.Benchmarks.dll --bare`). The goals name (b), so the ratio is measured / (b).");
        text.AppendLine("- **The machine's 2 cores are shared** by the servers, the database, Azurite and the load generator, and with whatever else ran at "
            + "the time (other engineers' builds and tests): figures are noisy, which is why each one sits beside baselines measured in the same run.");
        text.AppendLine();
        text.Append(Table(figures));
        var names = figures.Select(f => f.Name).Distinct().ToList();
        for (var i = 0; i < names.Count; i++)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {i + 1}. {Title(names[i])}");
            foreach (var figure in figures.Where(f => f.Name == names[i]))
            {
                text.AppendLine();
                foreach (var line in figure.Detail)
                {
                    text.AppendLine(line);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The table: one row per figure per store.</summary>
    public static string Table(IReadOnlyList<Figure> figures)
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | store | measured | (a) raw work | (b) reference function, same host | (c) bare Kestrel | ratio | goal | result |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var f in figures.GroupBy(f => f.Name).SelectMany(g => g))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {Title(f.Name)} | {f.Store} | {f.Value} | {f.Raw} | {f.Reference} | {f.Bare} | {f.Ratio} | {f.Goal} | {MetText(f.Met)} |");
        }

        return text.ToString();
    }

    private static string Title(string name) => name switch
    {
        "writes" => "Booking writes",
        "scaleout" => "Scale-out (booking writes)",
        "seatmap" => "Seat-map reads",
        "rush" => "Booking rush",
        "memory" => "Memory during the rush",
        "dbhold" => "Database-only hold",
        "oldpattern" => "Old pattern (lock, then check), raw",
        "payments" => "Payment latency",
        "scale" => "Scale",
        "startup" => "Start-up",
        "auth" => "Logins and registrations",
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
