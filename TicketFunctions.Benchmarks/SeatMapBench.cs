using System.Security.Cryptography;
using Dapper;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// 2. GET /api/showtimes/{id}/seats for a 26x50 hall (400 seats sold, 100 held) beside the same query and an
/// answer of the same bytes (a) in this process, (b) from the reference app's function under the same host, (c) from
/// bare Kestrel; all four on one database, in interleaved rounds.
/// </summary>
internal static class SeatMapBench
{
    private const int Workers = 8;

    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context, DbProvider provider)
    {
        // Per round at most this many requests for at most this long; warm-up likewise.
        var total = context.Options.Size(40000, 8000);
        var warmup = context.Options.Size(2000, 400);
        var roundTime = TimeSpan.FromSeconds(context.Options.Quick ? 1.5 : 4);
        var warmupTime = TimeSpan.FromSeconds(context.Options.Size(2, 1));
        await using var db = await BenchDatabase.CreateAsync(context, provider, "seatmap");
        var showtime = await db.CreateShowtimeAsync(26, 50, TimeSpan.FromDays(3));
        await ClaimAsync(db.Db, showtime, sold: 400, held: 100, seatsPerRow: 50);

        await using var app = await Fleet.StartAsync(ServerKind.App, 1, db.Environment);
        await using var reference = await Fleet.StartAsync(ServerKind.Reference, 1, db.Environment);
        await using var bare = await Fleet.StartAsync(ServerKind.Bare, 1, db.Environment);
        await using var store = db.RawStore();
        using var client = Load.Client(Workers * 3);
        var path = $"api/showtimes/{showtime}/seats";

        // The same bytes from all four, or the comparison says nothing.
        var bytes = await client.GetByteArrayAsync(app.Address(0, path));
        var same = new Dictionary<string, bool>
        {
            ["(a)"] = (await store.SeatMapAsync(showtime))!.AsSpan().SequenceEqual(bytes),
            ["(b)"] = (await client.GetByteArrayAsync(reference.Address(0, path))).AsSpan().SequenceEqual(bytes),
            ["(c)"] = (await client.GetByteArrayAsync(bare.Address(0, path))).AsSpan().SequenceEqual(bytes),
        };

        var targets = new (string Name, Func<int, TimeSpan, Task<LoadResult>> Run)[]
        {
            ("app", (n, t) => Load.RunAsync(client, Workers, n, _ => new HttpRequestMessage(HttpMethod.Get, app.Address(0, path)), s => s != 200, t)),
            ("(b) reference function, same host", (n, t) => Load.RunAsync(client, Workers, n, _ => new HttpRequestMessage(HttpMethod.Get, reference.Address(0, path)), s => s != 200, t)),
            ("(c) bare Kestrel", (n, t) => Load.RunAsync(client, Workers, n, _ => new HttpRequestMessage(HttpMethod.Get, bare.Address(0, path)), s => s != 200, t)),
            ("(a) raw queries and bytes", (n, t) => Load.RunAsync(Workers, n, async _ => await store.SeatMapAsync(showtime) is null ? 404 : 200, s => s != 200, t)),
        };
        foreach (var (_, run) in targets)
        {
            await run(warmup, warmupTime);
        }

        // Two rounds each, interleaved, so that a burst of other work on the shared cores hits all alike.
        var runs = targets.Select(_ => new List<LoadResult>()).ToArray();
        for (var round = 0; round < 2; round++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                runs[t].Add(await targets[t].Run(total, roundTime));
            }
        }

        double Rps(int t) => runs[t].Sum(r => r.Requests) / runs[t].Sum(r => r.Seconds);
        var ratio = Rps(0) / Rps(1);
        var sameBytes = same.Values.All(v => v);
        var met = ratio >= 0.6 && runs[0].All(r => r.Errors == 0) && sameBytes;
        return
        [
            new Figure(
                "seatmap",
                Figure.StoreName(provider),
                $"{Report.Num(Rps(0))} req/s",
                $"{Report.Num(Rps(3))} maps/s",
                $"{Report.Num(Rps(1))} req/s",
                $"{Report.Num(Rps(2))} req/s",
                $"{ratio:P0} of (b)",
                "≥ 60 % of (b)",
                met,
                [
                    $"**{Figure.StoreName(provider)}.** GET /{path}: a 26x50 hall (1,300 seats, 400 sold, 100 held), {bytes.Length:N0} bytes of JSON per answer "
                    + $"(SHA-256 {Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]}…; the baselines' answers are {(sameBytes ? "byte for byte the same" : "NOT the same: " + string.Join(", ", same.Where(s => !s.Value).Select(s => s.Key)))}); "
                    + $"{Workers} concurrent workers, {warmupTime.TotalSeconds:0.#} s of warm-up requests each, then two interleaved rounds of {roundTime.TotalSeconds:0.#} s each. Baselines on the same database: "
                    + "(a) the app's query (`catalog/seat_map`: the hall and its live claims in one row) on a pooled connection and the same JSON bytes, in the bench process; "
                    + "(b) that work in the reference app's function under the same local host; (c) the same on bare Kestrel.",
                    string.Empty,
                    Report.RowHeader,
                    .. targets.SelectMany((t, i) => runs[i].Select((r, round) => Report.Row($"{t.Name}, round {round + 1}", r))),
                    .. (met || provider != DbProvider.Sqlite ? Array.Empty<string>() : [string.Empty, Profile]),
                ]),
        ];
    }

    private const string Profile =
        "**Profile of 2026-11-27 (SQLite, before the issue-15 work).** A `dotnet-trace` of this benchmark before the seat-map changes put the time in "
        + "System.Text.Json writing 1,300 `SeatStatusResponse` records per request (~28%), GC (~27%, about 240 KiB allocated per request) and Dapper "
        + "materializing one row per live claim (~25%). Changed then: the live claims come back as one packed string (`group_concat`/`string_agg` in "
        + "`sql/catalog/live_claims.sql`), and the answer is put together from per-seat JSON pieces written once (`Catalog/SeatMapJson.cs`). What was "
        + "left then: the local host's dispatch, a pooled connection open with its two `PRAGMA`s, the layout query, and copying the 70+ KB answer; a response "
        + "cache was not tried, because an ended hold must read as available at once.";

    /// <summary>Sold and held seats straight into the database, in row-major order, ten per booking.</summary>
    public static async Task ClaimAsync(Db db, long showtime, int sold, int held, int seatsPerRow)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = await Db.BeginWriteAsync(connection);
        var user = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO users (email, normalized_email, email_skeleton, full_name, password_hash, role, created_at) VALUES (@email, lower(@email), lower(@email), 'Claims', 'x', 'User', 0) RETURNING id;",
            new { email = $"claims-{Guid.NewGuid():N}@example.com" }, transaction);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var first = 0; first < sold + held; first += 10)
        {
            var isSold = first < sold;
            var expiresAt = now + 3_600_000;
            var booking = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at, confirmed_at)
                VALUES (@showtime, @user, 10, 1250, 12500, @status, @now, @expiresAt, @confirmedAt) RETURNING id;
                """,
                new { showtime, user, status = isSold ? "CONFIRMED" : "PENDING", now, expiresAt, confirmedAt = isSold ? now : (long?)null }, transaction);
            foreach (var seat in Enumerable.Range(first, 10).Select(s => BenchDatabase.SeatLabel(s, seatsPerRow)))
            {
                await connection.ExecuteAsync("INSERT INTO booking_seats (booking_id, seat) VALUES (@booking, @seat);", new { booking, seat }, transaction);
                await connection.ExecuteAsync(
                    "UPDATE seat_claims SET booking_id = @booking, expires_at = @expiresAt WHERE showtime_id = @showtime AND seat = @seat;",
                    new { showtime, seat, booking, expiresAt = isSold ? (long?)null : expiresAt }, transaction);
            }
        }

        await transaction.CommitAsync();
    }
}
