using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// 1. Holds per second through HTTP (POST /api/bookings, two named seats each) against raw single-writer
/// transactions writing the same rows (booking, 2 booking_seats, 2 seat_claims) on a second, freshly migrated file in
/// the same folder, opened through the app's own <see cref="Db"/> (same pragmas).
/// </summary>
internal static class WriteBench
{
    private const int Workers = 8;
    private const int SeatsPerHold = 2;
    private const int Rows = 26;
    private const int SeatsPerRow = 50;
    private const int HoldsPerShowtime = Rows * SeatsPerRow / SeatsPerHold;
    private const int UserCount = 200;

    public static async Task<Figure> RunAsync(BenchContext context)
    {
        var total = context.Options.Size(6000, 1500);
        var warmup = context.Options.Size(600, 300);
        var databasePath = context.Database("writes");

        LoadResult http;
        await using (var app = await BenchApp.StartAsync(databasePath, context.Azurite))
        {
            var users = await app.CreateUsersAsync(UserCount);
            var showtimes = new List<long>();
            for (var i = 0; i < ((total + warmup) / HoldsPerShowtime) + 1; i++)
            {
                showtimes.Add(await app.CreateShowtimeAsync(Rows, SeatsPerRow, TimeSpan.FromDays(2 + i)));
            }

            using var client = Load.Client(app.BaseAddress, Workers);
            HttpRequestMessage Hold(int k)
            {
                var first = (k % HoldsPerShowtime) * SeatsPerHold;
                var seats = string.Join(",", Enumerable.Range(first, SeatsPerHold).Select(s => $"\"{BenchApp.SeatLabel(s, SeatsPerRow)}\""));
                return BenchApp.Json(HttpMethod.Post, "api/bookings", $"{{\"showtimeId\":{showtimes[k / HoldsPerShowtime]},\"seats\":[{seats}]}}", users[k % UserCount].Token);
            }

            await Load.RunAsync(client, Workers, warmup, Hold, s => s != 201);
            http = await Load.RunAsync(client, Workers, total, k => Hold(k + warmup), s => s != 201);
        }

        var raw = await RawAsync(Path.Combine(Path.GetDirectoryName(databasePath)!, "raw.db"), total, warmup);
        var ratio = http.Throughput / raw.Throughput;
        return new Figure(
            "writes",
            $"{Report.Num(http.Throughput)} holds/s",
            $"{Report.Num(raw.Throughput)} raw tx/s",
            $"{ratio:P0}",
            "≥ 50% of raw",
            ratio >= 0.5 && http.Errors == 0,
            [
                $"POST /api/bookings with two named seats each (a booking, 2 booking_seats, 2 seat_claims rows, plus the app's reads: showtime, reclaim of ended holds, the user's claim count, the taken-seat check, the booking read back), "
                + $"{Workers} concurrent workers, {UserCount} users, 26x50 halls, after {warmup} warm-up holds. Baseline: the same rows in BEGIN IMMEDIATE transactions, one writer with prepared commands, "
                + "on a second freshly migrated file in the same folder opened through the app's Db (WAL, synchronous=NORMAL, busy_timeout, foreign keys).",
                string.Empty,
                Report.RowHeader,
                Report.Row("HTTP holds", http),
                Report.Row("raw SQLite transactions", raw),
                string.Empty,
                "Confirmations (payment → queue → CONFIRMED) are asynchronous; their throughput through Azurite is in section 4.",
            ]);
    }

    private static async Task<LoadResult> RawAsync(string path, int total, int warmup)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var environment = new RawEnvironment(Path.GetDirectoryName(path)!);
        var db = new Db(Options.Create(new DatabaseOptions { Path = path }), environment);
        await new Migrator(db, TimeProvider.System, NullLogger<Migrator>.Instance).MigrateAsync();

        await using var connection = await db.OpenAsync();
        var user = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO users (email, normalized_email, full_name, password_hash, role, created_at) VALUES ('raw@example.com', 'RAW@EXAMPLE.COM', 'Raw', 'x', 'User', 0) RETURNING id;");
        var showtimes = new List<long>();
        for (var i = 0; i < ((total + warmup) / HoldsPerShowtime) + 1; i++)
        {
            showtimes.Add(await BenchApp.CreateShowtimeAsync(connection, Rows, SeatsPerRow, DateTimeOffset.UtcNow.AddDays(2 + i).ToUnixTimeMilliseconds()));
        }

        using var booking = Command(connection, """
            INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
            VALUES ($showtime, $user, 2, 1250, 2500, 'PENDING', $now, $expires) RETURNING id;
            """, "$showtime", "$user", "$now", "$expires");
        using var seat = Command(connection, "INSERT INTO booking_seats (booking_id, seat) VALUES ($booking, $seat);", "$booking", "$seat");
        using var claim = Command(connection, "INSERT INTO seat_claims (showtime_id, seat, booking_id, expires_at) VALUES ($showtime, $seat, $booking, $expires);", "$showtime", "$seat", "$booking", "$expires");

        void Write(int k)
        {
            using var transaction = Db.BeginWrite(connection);
            booking.Transaction = seat.Transaction = claim.Transaction = transaction;
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var showtime = showtimes[k / HoldsPerShowtime];
            Set(booking, showtime, user, now, now + 600_000);
            var id = (long)booking.ExecuteScalar()!;
            for (var s = 0; s < SeatsPerHold; s++)
            {
                var label = BenchApp.SeatLabel(((k % HoldsPerShowtime) * SeatsPerHold) + s, SeatsPerRow);
                Set(seat, id, label);
                seat.ExecuteNonQuery();
                Set(claim, showtime, label, id, now + 600_000);
                claim.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        for (var k = 0; k < warmup; k++)
        {
            Write(k);
        }

        var latencies = new double[total];
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < total; k++)
        {
            var start = Stopwatch.GetTimestamp();
            Write(k + warmup);
            latencies[k] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return LoadResult.From(latencies, Enumerable.Repeat(LoadResult.Committed, total).ToArray(), seconds, _ => false);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static void Set(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    private sealed class RawEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "TicketFunctions.Benchmarks";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
