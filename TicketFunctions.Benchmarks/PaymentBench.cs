using System.Diagnostics;
using System.Net;
using Dapper;
using Microsoft.Extensions.Configuration;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// 4. Payment latency: POST /api/payments to the booking being CONFIRMED by the queue-triggered function, through
/// Azurite. Payments arrive one by one at random gaps (as real ones do), so the listener's idle back-off counts;
/// then a burst measures how many confirmations per second the queue path sustains. A queue round trip has no raw
/// counterpart in the baselines; the goal is absolute (p99 under 200 ms) and the POST alone stands beside it.
/// </summary>
internal static class PaymentBench
{
    public static async Task<IReadOnlyList<Figure>> RunAsync(BenchContext context, DbProvider provider)
    {
        var paced = context.Options.Size(100, 20);
        var burst = context.Options.Size(200, 60);
        var maxGapMs = 500;
        await using var db = await BenchDatabase.CreateAsync(context, provider, "payments");
        var users = await db.CreateUsersAsync(paced + burst);
        var showtime = await db.CreateShowtimeAsync(26, 50, TimeSpan.FromDays(2));
        await using var app = await Fleet.StartAsync(ServerKind.App, 1, db.Environment);
        using var client = Load.Client(8);

        var bookings = new long[paced + burst];
        var holds = await Load.RunAsync(client, 8, bookings.Length, i => BenchDatabase.Json(HttpMethod.Post, app.Address(0, "api/bookings"), BenchDatabase.Invariant($"{{\"showtimeId\":{showtime},\"seatCount\":1}}"), users[i].Token), s => s != 201);
        await using (var connection = await db.Db.OpenAsync())
        {
            var byUser = (await connection.QueryAsync<(long UserId, long Id)>("SELECT user_id, id FROM bookings WHERE showtime_id = @showtime;", new { showtime })).ToDictionary(r => r.UserId, r => r.Id);
            for (var i = 0; i < bookings.Length; i++)
            {
                bookings[i] = byUser[users[i].Id];
            }
        }

        HttpRequestMessage Pay(int i) => BenchDatabase.Json(HttpMethod.Post, app.Address(0, "api/payments"), BenchDatabase.Invariant($"{{\"bookingId\":{bookings[i]},\"paymentToken\":\"tok_visa\"}}"), users[i].Token);

        // Paced: one payment at a time, a random 0..0.5 s apart; latency = confirmed_at (the app's clock) - the send time.
        var random = new Random(8);
        var sentAt = new long[bookings.Length];
        var postLatencies = new List<double>();
        var postStatuses = new List<int>();
        var pacedClock = Stopwatch.StartNew();
        for (var i = 0; i < paced; i++)
        {
            await Task.Delay(random.Next(maxGapMs));
            sentAt[i] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var start = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(Pay(i));
            postLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            postStatuses.Add((int)response.StatusCode);
        }

        var pacedConfirmed = await WaitConfirmedAsync(db, bookings[..paced], TimeSpan.FromSeconds(60));
        var latencies = Enumerable.Range(0, paced).Select(i => pacedConfirmed.TryGetValue(bookings[i], out var at) ? (double)(at - sentAt[i]) : double.PositiveInfinity).ToArray();
        var pacedSeconds = pacedClock.Elapsed.TotalSeconds;
        var confirmedLatency = LoadResult.From(latencies, [.. latencies.Select(l => double.IsInfinity(l) ? 0 : 200)], pacedSeconds, s => s != 200);
        var posts = LoadResult.From([.. postLatencies], [.. postStatuses], pacedSeconds, s => s != 202);

        // Burst: 8 workers post the rest; confirmations per second = confirmed bookings / (last confirmed_at - first send).
        var burstStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var burstPosts = await Load.RunAsync(client, 8, burst, i => Pay(paced + i), s => s != 202);
        var burstConfirmed = await WaitConfirmedAsync(db, bookings[paced..], TimeSpan.FromSeconds(120));
        var burstSeconds = burstConfirmed.Count == 0 ? double.NaN : (burstConfirmed.Values.Max() - burstStart) / 1000.0;

        var queues = new ConfigurationBuilder().AddJsonFile(Path.Combine(ServerProcess.AppDirectory, "host.json")).Build().GetSection("extensions:queues");
        var settings = string.Join(", ", queues.GetChildren().Select(c => $"{c.Key} {c.Value}"));
        var met = confirmedLatency.Errors == 0 && confirmedLatency.P99 < 200;
        return
        [
            new Figure(
            "payments",
            Figure.StoreName(provider),
            $"p50 {Report.Ms(confirmedLatency.P50)}, p99 {Report.Ms(confirmedLatency.P99)}",
            "-",
            "-",
            "-",
            $"POST alone: p99 {Report.Ms(posts.P99)}",
            "POST → CONFIRMED p99 < 200 ms",
            met,
            [
                $"**{Figure.StoreName(provider)}.** No baselines: a queue round trip through Azurite has no raw counterpart in the reference app; the ratio column gives the POST alone. "
                +
                $"Paced: {paced} payments (tok_visa) for held bookings, sent one at a time with random gaps of 0..{maxGapMs / 1000.0:0.0} s; latency = the booking's confirmed_at (written by the queue function, the app's clock) "
                + "minus the moment the POST was sent (same clock, millisecond resolution). Burst: 8 workers post the other "
                + $"{burst} payments; confirmations/s = confirmed bookings / (last confirmed_at − burst start).",
                $"Queue settings in effect (host.json `extensions.queues`): {settings}.",
                string.Empty,
                Report.RowHeader,
                Report.Row("paced: POST → CONFIRMED", confirmedLatency),
                Report.Row("paced: POST /api/payments (202)", posts),
                Report.Row("burst: POST /api/payments", burstPosts),
                Report.Row("holds made first", holds),
                string.Empty,
                $"Burst: {burstConfirmed.Count} of {burst} confirmed, {Report.Num(burstConfirmed.Count / burstSeconds, "0.0")} confirmations/s through Azurite ({Report.Num(burstSeconds, "0.0")} s).",
                string.Empty,
                "What decides the latency: the queue listener polls with a randomized exponential back-off from 100 ms up to `maxPollingInterval` "
                + "whenever a poll finds nothing; but a message that the same host sends through a `[QueueOutput]` binding wakes that queue's listener at "
                + "once (the Functions host's SharedQueueWatcher, which the local host mirrors), so POST /api/payments to CONFIRMED costs about one queue "
                + "round trip, whatever the back-off. `maxPollingInterval` (2 s here) bounds the wait only for messages put on the queue by someone else "
                + "(another instance, or the start-up resender); `batchSize` and `newBatchThreshold` decide throughput under load; `visibilityTimeout` "
                + "only delays retries of failed messages; `maxDequeueCount` decides when a failing message goes to payments-poison.",
                string.Empty,
                "**History.** Before the listener was woken by its own host's sends, payments waited out the back-off: with `maxPollingInterval` 2 s a "
                + "full run measured p50 683 ms, p99 1,884 ms (goal missed), and 1 s gave p50 360 ms, p99 1,110 ms. (\"paced\" rows: throughput is "
                + "only payments over the paced phase's wall time.)",
                .. (met ? Array.Empty<string>() : [string.Empty, "**Goal missed.** The POST itself is fast (row above); look at the queue round trip through Azurite and at "
                    + "whether the listener was woken by the send (a message from another sender waits up to `maxPollingInterval`)."]),
            ]),
        ];
    }

    private static async Task<Dictionary<long, long>> WaitConfirmedAsync(BenchDatabase db, long[] bookings, TimeSpan timeout)
    {
        var wanted = bookings.ToHashSet();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var connection = await db.Db.OpenAsync();
            var confirmed = (await connection.QueryAsync<(long Id, long ConfirmedAt)>(
                "SELECT id, confirmed_at FROM bookings WHERE status = 'CONFIRMED';"))
                .Where(r => wanted.Contains(r.Id))
                .ToDictionary(r => r.Id, r => r.ConfirmedAt);
            if (confirmed.Count == bookings.Length || clock.Elapsed > timeout)
            {
                return confirmed;
            }

            await Task.Delay(100);
        }
    }
}
