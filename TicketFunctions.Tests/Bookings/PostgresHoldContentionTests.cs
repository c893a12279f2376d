using System.Data.Common;
using Dapper;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Bookings;

/// <summary>
/// PostgreSQL's hold_seats() (migrations/postgres/0030_hold_seats_waits.sql) where holds contend for the last seats:
/// a hold that must wait for holds in flight waits holding no seat, so no two holds can each hold what the other
/// waits for (the deadlock, 40P01, that a rush of 2,000 one-seat holds hit with 0026's waiting path). Always
/// PostgreSQL, whatever TEST_DATABASE_PROVIDER says: SQLite's holds run under one writer and never wait on a row, so
/// npm test runs this class once, in its SQLite pass.
/// </summary>
public sealed class PostgresHoldContentionTests
{
    [Fact]
    public async Task A_hold_that_waits_for_holds_in_flight_keeps_no_lock_on_the_seats_they_claimed()
    {
        await using var app = await StartOnPostgresAsync();
        var showtime = await app.CreateShowtime(seatRows: 1, seatsPerRow: 3);
        var users = await app.CreateUsers(4);

        // Three holds in flight, each in an open transaction of the test's own: every seat is locked, none claimed.
        await using var first = await InFlightHold.StartAsync(app, showtime, users[0].UserId);
        await using var second = await InFlightHold.StartAsync(app, showtime, users[1].UserId);
        await using var third = await InFlightHold.StartAsync(app, showtime, users[2].UserId);
        Assert.Equal(["A1", "A2", "A3"], new[] { first.Seat, second.Seat, third.Seat }.Order().ToArray());

        // The app's hold finds every free seat locked and waits for a hold in flight.
        var waiter = Task.Run(() => app.BookCount(users[3].Token, showtime, 1));
        await Eventually.True(() => WaitsOnAsync(app, first, second, third), "the app's hold waits for a hold in flight");

        // The first hold commits: its seat is claimed, so the waiting hold must wait for one of the other two, and
        // must not keep a lock on the seat it found claimed (0026 kept it, and waited on the next seat holding it).
        await first.CommitAsync();
        await Eventually.True(() => WaitsOnAsync(app, second, third), "the app's hold waits for the second or third hold");
        await using (var owner = await app.Db.OpenAsync())
        await using (var transaction = await owner.BeginTransactionAsync())
        {
            var locked = await owner.QuerySingleAsync<string>(
                "SELECT seat FROM seat_claims WHERE showtime_id = @showtime AND seat = @Seat FOR UPDATE NOWAIT",
                new { showtime, first.Seat }, transaction);
            Assert.Equal(first.Seat, locked);
        }

        // The other two give up: the waiting hold gets one of their seats, and only that one.
        await second.RollbackAsync();
        await third.RollbackAsync();
        var answer = await waiter.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(201, answer.Status);
        var seat = Assert.Single(answer.Json.GetProperty("seats").EnumerateArray()).GetString();
        Assert.Contains(seat, new[] { second.Seat, third.Seat });
        var claims = await app.DbRows<(string Seat, long UserId)>(
            "SELECT c.seat, b.user_id FROM seat_claims c JOIN bookings b ON b.id = c.booking_id WHERE c.showtime_id = @showtime ORDER BY c.seat",
            new { showtime });
        Assert.Equal(new[] { (first.Seat, users[0].UserId), (seat!, users[3].UserId) }.OrderBy(c => c.Item1), claims);
    }

    [Fact]
    public async Task Six_hundred_concurrent_holds_of_every_kind_on_a_hundred_seats_end_201_or_409_and_sell_no_seat_twice()
    {
        await using var app = await StartOnPostgresAsync();
        var showtime = await app.CreateShowtime(seatRows: 2, seatsPerRow: 50);
        var users = await app.CreateUsers(600);

        // A third ask for one seat, a third for three side by side, a third for a named pair (one of 25 pairs).
        var answers = await Task.WhenAll(users.Select((u, i) => Task.Run(() => (i % 3) switch
        {
            0 => app.BookCount(u.Token, showtime, 1),
            1 => app.BookCount(u.Token, showtime, 3),
            _ => app.Book(u.Token, showtime, $"{(char)('A' + (i / 3 % 2))}{(i / 6 % 25 * 2) + 1}", $"{(char)('A' + (i / 3 % 2))}{(i / 6 % 25 * 2) + 2}"),
        })));

        Assert.All(answers, a => Assert.True(a.Status is 201 or 409, a.ToString()));
        Assert.All(answers.Where(a => a.Status == 409), a => Assert.Contains(a.Json.GetProperty("code").GetString(), new[] { "seats_taken", "not_enough_seats" }));
        var sold = answers.Where(a => a.Status == 201)
            .SelectMany(a => a.Json.GetProperty("seats").EnumerateArray().Select(s => (s.GetString()!, a.Json.GetProperty("id").GetInt64())))
            .Order()
            .ToArray();
        Assert.Equal(sold.Length, sold.Select(s => s.Item1).Distinct().Count());
        var claims = await app.DbRows<(string, long)>(
            "SELECT seat, booking_id FROM seat_claims WHERE showtime_id = @showtime AND booking_id IS NOT NULL ORDER BY seat, booking_id", new { showtime });
        Assert.Equal(sold, claims.Order().ToArray());
        Assert.Equal(sold.Length, await app.DbScalar<long>("SELECT count(*) FROM booking_seats"));

        // A best-available hold is refused only when fewer seats are free than it asks for, counted from committed
        // claims; holds never give seats back here, so the one-seat holds that lost (200 ask for 100 seats) leave
        // none free.
        Assert.Equal(100, sold.Length);
        for (var i = 0; i < answers.Length; i++)
        {
            if (i % 3 != 2 && answers[i].Status == 409)
            {
                Assert.Equal("not_enough_seats", answers[i].Json.GetProperty("code").GetString());
                Assert.True(answers[i].Json.GetProperty("availableSeats").GetInt32() < (i % 3 == 0 ? 1 : 3), answers[i].ToString());
            }
        }
    }

    [Fact]
    public async Task A_hold_that_PostgreSQL_picks_to_break_a_deadlock_runs_again_and_gets_its_seat()
    {
        await using var app = await StartOnPostgresAsync();
        var showtime = await app.CreateShowtime(seatRows: 1, seatsPerRow: 1);
        var users = await app.CreateUsers(2);
        var ended = (await app.Book(users[0].Token, showtime, "A1")).Json.GetProperty("id").GetInt64();
        app.Clock.Advance(TimeSpan.FromMinutes(11));

        // Other work holds the ended booking's row. The new hold locks the seat, then waits for that row (it stores
        // the ended booking as EXPIRED); the other work then asks for the seat: a cycle. The other session's deadlock
        // check waits 20 s, the hold's 1 s (the server's default), so PostgreSQL ends the hold's transaction.
        await using var other = await app.Db.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await other.ExecuteAsync("SET LOCAL deadlock_timeout = '20s'", transaction: transaction);
        await other.ExecuteAsync("SELECT id FROM bookings WHERE id = @ended FOR UPDATE", new { ended }, transaction);
        var pid = await other.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: transaction);
        var hold = Task.Run(() => app.BookCount(users[1].Token, showtime, 1));
        await Eventually.True(
            async () => await app.DbScalar<long>("SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[@pid]", new { pid }) > 0,
            "the hold waits for the ended booking's row");

        // The seat's lock comes to the other session only once the hold's transaction is rolled back.
        var seat = await other.QuerySingleAsync<string>(
            "SELECT seat FROM seat_claims WHERE showtime_id = @showtime FOR UPDATE", new { showtime }, transaction);
        Assert.Equal("A1", seat);
        Assert.False(hold.IsCompleted);
        await transaction.RollbackAsync();

        // The hold runs again, from the start, and gets the seat.
        var answer = await hold.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(201, answer.Status);
        Assert.Equal("A1", Assert.Single(answer.Json.GetProperty("seats").EnumerateArray()).GetString());
        Assert.Equal(
            [("A1", users[1].UserId)],
            await app.DbRows<(string, long)>("SELECT c.seat, b.user_id FROM seat_claims c JOIN bookings b ON b.id = c.booking_id WHERE c.showtime_id = @showtime", new { showtime }));
        Assert.Equal("EXPIRED", await app.DbScalar<string>("SELECT status FROM bookings WHERE id = @ended", new { ended }));
    }

    private static Task<TestApp> StartOnPostgresAsync() => TestApp.StartAsync(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "postgres",
        ["Database:ConnectionString"] = PostgresServer.Instance.DatabaseFor(Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"))),
    });

    // True when some session of this database waits for a lock held by one of these holds' sessions.
    private static async Task<bool> WaitsOnAsync(TestApp app, params InFlightHold[] holds)
        => await app.DbScalar<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pg_blocking_pids(pid) && @Pids",
            new { Pids = holds.Select(h => h.Pid).ToArray() }) > 0;

    /// <summary>A one-seat hold by hold_seats() in a transaction of the test's own, left open until it is ended.</summary>
    private sealed class InFlightHold : IAsyncDisposable
    {
        private readonly DbConnection _connection;
        private DbTransaction? _transaction;

        private InFlightHold(DbConnection connection, DbTransaction transaction, string seat, int pid)
        {
            _connection = connection;
            _transaction = transaction;
            Seat = seat;
            Pid = pid;
        }

        public string Seat { get; }

        public int Pid { get; }

        public static async Task<InFlightHold> StartAsync(TestApp app, long showtimeId, long userId)
        {
            var connection = await app.Db.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            var now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
            var (outcome, seats) = await connection.QuerySingleAsync<(string, string[])>(
                "SELECT outcome, r_seats FROM hold_seats(@showtimeId, @userId, NULL, 1, @now, @expires, 10, false)",
                new { showtimeId, userId, now, expires = now + 600_000 }, transaction);
            Assert.Equal("held", outcome);
            var pid = await connection.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: transaction);
            return new InFlightHold(connection, transaction, Assert.Single(seats), pid);
        }

        public async Task CommitAsync()
        {
            await _transaction!.CommitAsync();
            _transaction = null;
        }

        public async Task RollbackAsync()
        {
            await _transaction!.RollbackAsync();
            _transaction = null;
        }

        public async ValueTask DisposeAsync()
        {
            if (_transaction is not null)
            {
                await _transaction.DisposeAsync();
            }

            await _connection.DisposeAsync();
        }
    }
}
