using Dapper;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// 3. A booking rush: 2,000 clients, each its own user, all at once asking for one seat (seatCount 1) of a showtime
/// with 100 seats. Exactly 100 must get 201, the rest 409, none 5xx, p95 at most 1.5 x the p95 of (b). Beside it the
/// same rush on the best raw claim of one seat (RawWork.cs ClaimOneAsync: on PostgreSQL one statement that claims the
/// first free seat row FOR UPDATE SKIP LOCKED; on SQLite the first free seat and the three rows under the one writer)
/// (a) in this process, (b) in the reference app under the same host, (c) on bare Kestrel. On PostgreSQL also through
/// two instances. 6. The peak working set (VmHWM) of the host and worker processes, read when the rush is over.
/// </summary>
internal static class RushBench
{
    private const int Seats = 100;
    private const double GoalP95Ratio = 1.5;
    private const int WarmupConcurrency = 100;

    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context, DbProvider provider)
    {
        var (rush, memory) = await RunAsync(context, provider, 1);
        List<Figure> figures = [rush];
        if (provider == DbProvider.Postgres)
        {
            figures.Add((await RunAsync(context, provider, 2)).Rush);
        }

        figures.Add(memory);
        return figures;
    }

    private sealed record Outcome(LoadResult Result, long Claimed, long Bookings, long Distinct, IReadOnlyList<(string Process, double Peak, double During)> Memory)
    {
        public int Created => Result.Statuses.GetValueOrDefault(201);

        public int FiveHundreds => Result.Statuses.Where(s => s.Key >= 500).Sum(s => s.Value);

        public bool Exact => Created == Seats && Claimed == Seats && Bookings == Seats && Distinct == Seats && Result.Errors == 0 && FiveHundreds == 0;

        public string Text => $"{Created} sold, {FiveHundreds} 5xx, p95 {Report.Ms(Result.P95)}";

        public string MemoryText(string kind) => string.Join(", ", Memory.Where(m => m.Process.StartsWith(kind, StringComparison.Ordinal)).Select(m => $"{m.Process} {Report.Num(m.Peak)} MiB"));

        public double TotalPeak => Memory.Sum(m => m.Peak);
    }

    private static async Task<(Figure Rush, Figure Memory)> RunAsync(BenchContext context, DbProvider provider, int instances)
    {
        var clients = context.Options.Size(2000, 400);
        var app = await HttpAsync(context, provider, ServerKind.App, instances, clients);
        var reference = await HttpAsync(context, provider, ServerKind.Reference, instances, clients);
        var bare = await HttpAsync(context, provider, ServerKind.Bare, instances, clients);
        var raw = await RawAsync(context, provider, clients);

        var met = app.Exact && app.Result.P95 <= GoalP95Ratio * reference.Result.P95;
        var storeName = Figure.StoreName(provider, instances);
        var rush = new Figure(
            "rush",
            storeName,
            app.Text,
            raw.Text,
            reference.Text,
            bare.Text,
            $"{app.Result.P95 / reference.Result.P95:0.00}x (b) p95",
            "exactly 100 sold, 0 5xx, p95 ≤ 1.5x (b)",
            met,
            [
                $"**{storeName}.** {clients:N0} clients, each its own user with its own connection, released together"
                + (instances > 1 ? $" and spread over {instances} instances (client k to instance k mod {instances}) on one database" : string.Empty)
                + ": POST /api/bookings `{showtimeId, seatCount: 1}` on a 2x50 hall (100 seats), after 200 warm-up holds on another showtime, 100 at a time. "
                + $"Afterwards the database holds {app.Bookings} bookings, {app.Claimed} seat claims and {app.Distinct} distinct booked seats for the showtime. "
                + "Baselines, each on a database of its own seeded alike, the same burst on the raw claim of one seat (POST /api/claims `{showtimeId, userId}`; "
                + $"(a) in the bench process): (a) {raw.Claimed}, (b) {reference.Claimed}, (c) {bare.Claimed} seats claimed.",
                string.Empty,
                Report.RowHeader,
                Report.Row("app: rush", app.Result),
                Report.Row("(a) raw claims", raw.Result),
                Report.Row("(b) reference function, same host", reference.Result),
                Report.Row("(c) bare Kestrel", bare.Result),
                string.Empty,
                $"Peak working set (VmHWM) when the rush was over: app {app.MemoryText("app")}; reference app {reference.MemoryText("reference")}; bare Kestrel {bare.MemoryText("bare")}.",
                .. (met || provider != DbProvider.Sqlite || instances > 1 ? Array.Empty<string>() : [string.Empty, Profile]),
                .. (app.Exact ? Array.Empty<string>() : [string.Empty, $"**Not exact.** Statuses: {app.Result.StatusText}. Requests that got no answer count as errors."]),
            ]);

        var memory = new Figure(
            "memory",
            storeName,
            app.MemoryText("app"),
            "-",
            reference.MemoryText("reference"),
            bare.MemoryText("bare"),
            $"{app.TotalPeak / reference.TotalPeak:0.00}x (b)",
            "peak working set reported",
            app.Memory.All(m => !double.IsNaN(m.Peak)),
            [
                $"**{storeName}.** VmHWM (the kernel's peak resident set of a process over its life: start-up, warm-up and the rush) from `/proc/<pid>/status` "
                + "of the local host's process and of its worker (the host's child, from `/proc/<pid>/task/*/children`), read once the rush of section 3 is over; "
                + "\"during\" is the highest VmRSS sampled every 20 ms while the rush ran.",
                string.Empty,
                "| process | peak (VmHWM) | highest VmRSS during the rush |",
                "|---|---|---|",
                .. app.Memory.Concat(reference.Memory).Concat(bare.Memory).Select(m => $"| {m.Process} | {Report.Num(m.Peak)} MiB | {Report.Num(m.During)} MiB |"),
            ]);
        return (rush, memory);
    }

    private static async Task<Outcome> HttpAsync(BenchContext context, DbProvider provider, ServerKind kind, int instances, int clients)
    {
        await using var db = await BenchDatabase.CreateAsync(context, provider, $"rush-{kind}");
        var users = await db.CreateUsersAsync(clients);
        var warmupShowtime = await db.CreateShowtimeAsync(26, 50, TimeSpan.FromDays(2));
        var showtime = await db.CreateShowtimeAsync(2, 50, TimeSpan.FromDays(3));
        await using var fleet = await Fleet.StartAsync(kind, instances, db.Environment);
        HttpRequestMessage Claim(long show, int i) => kind == ServerKind.App
            ? BenchDatabase.Json(HttpMethod.Post, fleet.Address(i, "api/bookings"), BenchDatabase.Invariant($"{{\"showtimeId\":{show},\"seatCount\":1}}"), users[i].Token)
            : BenchDatabase.Json(HttpMethod.Post, fleet.Address(i, "api/claims"), BenchDatabase.Invariant($"{{\"showtimeId\":{show},\"userId\":{users[i].Id}}}"));

        // A warm process: the rush should not measure the JIT.
        // Warm-up as wide as the pools (Npgsql's 100 connections by default): a PostgreSQL backend plans its statements
        // (and compiles plpgsql) on first use, which the rush must not measure for any server.
        using (var warm = Load.Client(WarmupConcurrency))
        {
            await Load.RunAsync(warm, WarmupConcurrency, 2 * WarmupConcurrency, i => Claim(warmupShowtime, i), s => s != 201);
        }

        var pids = fleet.Servers.SelectMany((s, i) => new[]
        {
            (Name: Label(kind, i, instances, kind == ServerKind.Bare ? "process" : "host"), Pid: (int?)s.Pid),
            (Name: Label(kind, i, instances, "worker"), Pid: kind == ServerKind.Bare ? null : s.WorkerPid()),
        }).Where(p => p.Pid is not null).ToList();
        var during = new double[pids.Count];
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (var p = 0; p < pids.Count; p++)
                {
                    during[p] = Math.Max(during[p], ServerProcess.Memory(pids[p].Pid).Current);
                }

                await Task.Delay(20);
            }
        });

        using var client = Load.Client(clients);
        var result = await Load.BurstAsync(client, clients, i => Claim(showtime, i));
        await stop.CancelAsync();
        await sampler;
        var memory = pids.Select((p, i) => (p.Name, ServerProcess.Memory(p.Pid).Peak, during[i])).ToList();
        if (result.Statuses.Any(s => s.Key >= 500))
        {
            // What the servers said about their 5xx (warnings and errors only), for whoever reads the bench's output.
            foreach (var server in fleet.Servers)
            {
                Console.WriteLine($"[bench] rush on {provider}: {kind} answered 5xx; its output:{server.Output(40)}");
            }
        }

        return await CountAsync(db, showtime, result, memory);
    }

    private static async Task<Outcome> RawAsync(BenchContext context, DbProvider provider, int clients)
    {
        await using var db = await BenchDatabase.CreateAsync(context, provider, "rush-raw");
        var users = await db.CreateUsersAsync(clients);
        var warmupShowtime = await db.CreateShowtimeAsync(26, 50, TimeSpan.FromDays(2));
        var showtime = await db.CreateShowtimeAsync(2, 50, TimeSpan.FromDays(3));
        await using var store = db.RawStore();
        await Load.RunAsync(WarmupConcurrency, 2 * WarmupConcurrency, async i => await store.ClaimOneAsync(warmupShowtime, users[i].Id) is null ? 409 : 201);
        var result = await Load.BurstAsync(clients, async i => await store.ClaimOneAsync(showtime, users[i].Id) is null ? 409 : 201);
        return await CountAsync(db, showtime, result, []);
    }

    private static async Task<Outcome> CountAsync(BenchDatabase db, long showtime, LoadResult result, IReadOnlyList<(string, double, double)> memory)
    {
        await using var connection = await db.Db.OpenAsync();
        var claimed = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM seat_claims WHERE showtime_id = @showtime AND booking_id IS NOT NULL;", new { showtime });
        var distinct = await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT seat) FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id WHERE b.showtime_id = @showtime;", new { showtime });
        var bookings = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM bookings WHERE showtime_id = @showtime;", new { showtime });
        return new Outcome(result, claimed, bookings, distinct, memory);
    }

    private static string Label(ServerKind kind, int index, int instances, string process)
        => $"{kind switch { ServerKind.App => "app", ServerKind.Reference => "reference", _ => "bare" }}{(instances > 1 ? $" #{index + 1}" : string.Empty)} {process}";

    private const string Profile =
        "**Why the p95 goal is missed (2026-11-27).** The rush is 2,000 requests released at once on 2 cores; a p95 of 314 ms would need about 6,000 "
        + "requests/s through the local host and the worker, while (b), a function that does only the raw claim on the same host and worker, measures a "
        + "p95 of 1.1-1.2 s in the same run, and bare Kestrel (c) 0.26-0.37 s: the hop through the host (YARP, gRPC, the worker's Kestrel) alone costs more "
        + "than the goal. On PostgreSQL even the raw claims (a) in the bench process, 2,000 at once on one showtime's row lock, take a p95 of 3.5-4.2 s here. "
        + "The app's own part: each request authenticates (the token and the caller's row) and, in its showtime's turn (`ShowtimeGates`: one at a time per "
        + "showtime in a process, awaiting without a thread or a connection), runs one short pass under the lock; once the 100 seats are gone that pass "
        + "answers 409 not_enough_seats. Tried: replacing the read-only pre-check outside the lock with the per-showtime queue, measured in two full runs "
        + "of the same day (before → after): SQLite p95 2.66 s → 2.55 s; PostgreSQL 12.3 s → 12.4 s; PostgreSQL through two instances 21.6 s → 18.9 s.";
}
