using System.Data.Common;
using Dapper;
using TicketFunctions.Bookings;
using TicketFunctions.Catalog;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Data;

/// <summary>
/// Every invariant the schema enforces, broken with SQL straight into the database of the provider under test, which
/// must refuse it whatever the application checks first; and, for each refusal the application turns into an answer,
/// the application path driven through the real function with the database changing between the check and the write.
/// That change is made by a trigger the test installs: it writes what a second instance would have written in that
/// gap, so the refusal, its mapping and the rollback all run, deterministically, on SQLite and PostgreSQL alike.
/// </summary>
public sealed class DatabaseInvariantTests
{
    [Fact]
    public async Task A_second_claim_on_a_held_seat_is_refused_by_the_primary_key()
    {
        await using var app = await TestApp.StartAsync();
        var (_, userId) = await app.RegisterAndLogin();
        var showtime = (await app.SeedShowtime()).ShowtimeId;
        await app.SeedPendingBooking(userId, ["A1"], showtimeId: showtime);
        var other = await app.SeedPendingBooking(userId, ["A2"], showtimeId: showtime);

        var refusal = await Refused(app, "INSERT INTO seat_claims (showtime_id, seat, seat_row, seat_number, booking_id, expires_at) VALUES (@showtime, 'A1', 0, 1, @other, NULL)", new { showtime, other });

        Assert.Equal(new DbRefusal(DbRefusalKind.Unique, "seat_claims"), refusal);
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL AND showtime_id = @showtime AND seat = 'A1'", new { showtime }));
    }

    [Fact]
    public async Task A_second_live_payment_for_a_booking_is_refused_but_a_new_one_after_a_failed_one_is_not()
    {
        await using var app = await TestApp.StartAsync();
        var (_, userId) = await app.RegisterAndLogin();
        var booking = await app.SeedPendingBooking(userId, ["A1"]);
        const string Insert = "INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, created_at, processed_at) "
            + "VALUES (@booking, @userId, 1250, 't', @status, 1, @processedAt)";
        await app.Scalar<long>(Insert, new { booking, userId, status = "PENDING", processedAt = (long?)null });

        var pending = await Refused(app, Insert, new { booking, userId, status = "PENDING", processedAt = (long?)null });
        var success = await Refused(app, Insert, new { booking, userId, status = "SUCCESS", processedAt = (long?)2 });
        await app.Scalar<long>("UPDATE payments SET status = 'FAILED', failure_reason = 'card_declined', processed_at = 2 WHERE booking_id = @booking", new { booking });
        await app.Scalar<long>(Insert, new { booking, userId, status = "PENDING", processedAt = (long?)null });

        Assert.Equal(new DbRefusal(DbRefusalKind.Unique, "payments"), pending);
        Assert.Equal(new DbRefusal(DbRefusalKind.Unique, "payments"), success);
        Assert.Equal(2, await app.Scalar<long>("SELECT count(*) FROM payments WHERE booking_id = @booking", new { booking }));
    }

    [Fact]
    public async Task An_overlapping_showtime_in_the_same_theatre_is_refused_on_insert_and_update_but_back_to_back_is_not()
    {
        await using var app = await TestApp.StartAsync();
        var showtime = (await app.SeedShowtime()).ShowtimeId;
        var (movie, theatre, startsAt, endsAt) = (await app.Rows<(long, long, long, long)>(
            "SELECT movie_id, theatre_id, starts_at, ends_at FROM showtimes WHERE id = @showtime", new { showtime })).Single();
        const string Insert = "INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at) "
            + "VALUES (@movie, @theatre, @starts, @ends, 100, 0) RETURNING id";

        var inside = await Refused(app, Insert, new { movie, theatre, starts = startsAt + 60_000, ends = startsAt + 120_000 });
        var across = await Refused(app, Insert, new { movie, theatre, starts = endsAt - 1, ends = endsAt + 3_600_000 });
        var next = await app.Scalar<long>(Insert, new { movie, theatre, starts = endsAt, ends = endsAt + 3_600_000 });
        var moved = await Refused(app, "UPDATE showtimes SET starts_at = starts_at - 60000 WHERE id = @next", new { next });

        Assert.All([inside, across, moved], r => Assert.Equal(new DbRefusal(DbRefusalKind.Overlap, "showtimes"), r));
        Assert.Equal(2, await app.Scalar<long>("SELECT count(*) FROM showtimes WHERE theatre_id = @theatre", new { theatre }));
    }

    [Theory]
    [InlineData("UPDATE bookings SET status = 'PAID' WHERE id = @booking")]
    [InlineData("UPDATE bookings SET status = 'CONFIRMED' WHERE id = @booking")]
    [InlineData("UPDATE bookings SET status = 'CANCELLED' WHERE id = @booking")]
    [InlineData("UPDATE bookings SET total_price_cents = total_price_cents + 1 WHERE id = @booking")]
    [InlineData("UPDATE bookings SET seat_count = 11, total_price_cents = unit_price_cents * 11 WHERE id = @booking")]
    [InlineData("UPDATE bookings SET unit_price_cents = 0, total_price_cents = 0 WHERE id = @booking")]
    [InlineData("UPDATE payments SET status = 'PAID' WHERE id = @payment")]
    [InlineData("UPDATE payments SET status = 'FAILED', processed_at = 2 WHERE id = @payment")]
    [InlineData("UPDATE payments SET status = 'SUCCESS' WHERE id = @payment")]
    [InlineData("UPDATE payments SET amount_cents = 0 WHERE id = @payment")]
    [InlineData("UPDATE payments SET status = 'FAILED', failure_reason = 'insufficient_funds', processed_at = 2 WHERE id = @payment")]
    [InlineData("UPDATE showtimes SET price_cents = -1 WHERE id = @showtime")]
    [InlineData("UPDATE showtimes SET ends_at = starts_at WHERE id = @showtime")]
    [InlineData("UPDATE theatres SET seat_rows = 27 WHERE id = (SELECT theatre_id FROM showtimes WHERE id = @showtime)")]
    [InlineData("UPDATE users SET role = 'Root' WHERE id = @userId")]
    public async Task A_status_or_amount_outside_its_check_is_refused(string statement)
    {
        await using var app = await TestApp.StartAsync();
        var (userId, showtime, booking, payment) = await Seed(app);
        var before = await Snapshot(app);

        var refusal = await Refused(app, statement, new { userId, showtime, booking, payment });

        Assert.Equal(DbRefusalKind.Check, refusal.Kind);
        Assert.Equal(before, await Snapshot(app));
    }

    [Theory]
    [InlineData("UPDATE seat_claims SET booking_id = 999999, expires_at = NULL WHERE showtime_id = @showtime AND seat = 'E9'")]
    [InlineData("INSERT INTO seat_claims (showtime_id, seat, seat_row, seat_number, booking_id, expires_at) VALUES (999999, 'E9', 4, 9, @booking, NULL)")]
    [InlineData("INSERT INTO booking_seats (booking_id, seat) VALUES (999999, 'E9')")]
    [InlineData("INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, created_at) VALUES (999999, @userId, 100, 't', 'PENDING', 1)")]
    [InlineData("INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at) VALUES (999999, @userId, 1, 100, 100, 'PENDING', 1, 2)")]
    [InlineData("INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at) VALUES (999999, 999999, 1, 2, 100, 0)")]
    [InlineData("DELETE FROM movies WHERE id = (SELECT movie_id FROM showtimes WHERE id = @showtime)")]
    [InlineData("DELETE FROM users WHERE id = @userId")]
    public async Task A_row_that_points_nowhere_or_is_still_pointed_at_is_refused_by_a_foreign_key(string statement)
    {
        await using var app = await TestApp.StartAsync();
        var (userId, showtime, booking, payment) = await Seed(app);
        var before = await Snapshot(app);

        var refusal = await Refused(app, statement, new { userId, showtime, booking, payment });

        Assert.Equal(DbRefusalKind.ForeignKey, refusal.Kind);
        Assert.Equal(before, await Snapshot(app));
    }

    [Fact]
    public async Task Booking_a_seat_that_another_instance_claims_after_the_check_answers_409_seats_taken_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var showtime = await app.CreateShowtime();
        var (rival, rivalId) = await app.RegisterAndLogin();
        var rivalBooking = (await app.Book(rival, showtime, "E9")).Json.GetProperty("id").GetInt64();
        var (token, userId) = await app.RegisterAndLogin();
        await Trigger(app, "bookings", "AFTER INSERT", $"NEW.user_id = {userId}",
            $"UPDATE seat_claims SET booking_id = {rivalBooking}, expires_at = NULL WHERE showtime_id = NEW.showtime_id AND seat = 'A1'");

        var answer = await app.Book(token, showtime, "A1", "A2");

        Assert.True(answer.Status == 409, answer.ToString());
        Assert.Equal("seats_taken", answer.Json.GetProperty("code").GetString());
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM bookings WHERE user_id = @userId", new { userId }));
        Assert.Equal(["E9"], await app.Rows<string>("SELECT seat FROM seat_claims WHERE booking_id IS NOT NULL AND showtime_id = @showtime", new { showtime }));
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM bookings WHERE user_id = @rivalId", new { rivalId }));
    }

    [Fact]
    public async Task Paying_when_another_instance_starts_a_payment_after_the_check_answers_409_payment_exists_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var booking = await app.SeedPendingBooking(userId);
        await Trigger(app, "payments", "BEFORE INSERT", "NEW.payment_token <> 'rival'",
            "INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, created_at) "
            + "VALUES (NEW.booking_id, NEW.user_id, NEW.amount_cents, 'rival', 'PENDING', NEW.created_at)");

        var (answer, message) = await app.Pay(token, booking, idempotencyKey: "key-1");

        Assert.True(answer.Status == 409, answer.ToString());
        Assert.Equal("payment_exists", answer.Json.GetProperty("code").GetString());
        Assert.Null(message);
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM payments"));
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM idempotency_keys"));
    }

    [Fact]
    public async Task Creating_a_showtime_that_another_instance_overlaps_after_the_check_answers_409_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie();
        var theatre = await app.CreateTheatre();
        await Trigger(app, "showtimes", "BEFORE INSERT", "NEW.price_cents <> 4242",
            "INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at) "
            + "VALUES (NEW.movie_id, NEW.theatre_id, NEW.starts_at, NEW.ends_at, 4242, NEW.created_at)");

        var body = new { movieId = movie, theatreId = theatre, startsAt = app.Clock.GetUtcNow().UtcDateTime.AddDays(1), price = 12.50m };
        var answer = await app.Call(async () => await app.Function<ShowtimeFunctions>().Create(app.Request("POST", "/api/showtimes", body, await app.AdminToken())));

        Assert.True(answer.Status == 409, answer.ToString());
        Assert.Equal("showtime_overlap", answer.Json.GetProperty("code").GetString());
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM showtimes"));
    }

    [Fact]
    public async Task Deleting_a_movie_that_another_instance_schedules_after_the_check_answers_409_and_deletes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie();
        var theatre = await app.CreateTheatre();
        var startsAt = app.Clock.GetUtcNow().AddDays(1).ToUnixTimeMilliseconds();
        await Trigger(app, "movies", "BEFORE DELETE", "1 = 1",
            "INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at) "
            + $"VALUES (OLD.id, {theatre}, {startsAt}, {startsAt + 7_200_000}, 100, 0)");

        var answer = await app.Call(async () => await app.Function<MovieFunctions>().Delete(app.Request("DELETE", $"/api/movies/{movie}", token: await app.AdminToken()), movie));

        Assert.True(answer.Status == 409, answer.ToString());
        Assert.Equal("movie_has_showtimes", answer.Json.GetProperty("code").GetString());
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM movies WHERE id = @movie", new { movie }));
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM showtimes"));
    }

    /// <summary>A user, a showtime, a PENDING booking of A1 and A2 with its PENDING payment.</summary>
    private static async Task<(long UserId, long Showtime, long Booking, long Payment)> Seed(TestApp app)
    {
        var (_, userId) = await app.RegisterAndLogin();
        var showtime = (await app.SeedShowtime()).ShowtimeId;
        var booking = await app.SeedPendingBooking(userId, ["A1", "A2"], showtimeId: showtime);
        var payment = await app.Scalar<long>(
            "INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, created_at) VALUES (@booking, @userId, 2500, 't', 'PENDING', 1) RETURNING id",
            new { booking, userId });
        return (userId, showtime, booking, payment);
    }

    /// <summary>Every row of the tables the refusals touch, as text: "nothing was written" is checked, not assumed.</summary>
    private static async Task<string> Snapshot(TestApp app)
    {
        var parts = new List<string>();
        foreach (var table in new[] { "users", "movies", "theatres", "showtimes", "bookings", "booking_seats", "seat_claims", "payments" })
        {
            var rows = await app.Rows<dynamic>($"SELECT * FROM {table}");
            parts.Add(table + ":" + string.Join(";", rows.Select(r => string.Join(",", ((IDictionary<string, object?>)r).Select(c => $"{c.Key}={c.Value}"))).Order(StringComparer.Ordinal)));
        }

        return string.Join('\n', parts);
    }

    private static async Task<DbRefusal> Refused(TestApp app, string sql, object parameters)
    {
        var error = await Record.ExceptionAsync(() => app.Scalar<long?>(sql, parameters));
        var refused = Assert.IsAssignableFrom<DbException>(error);
        return DbRefusal.Of(refused) ?? throw new Xunit.Sdk.XunitException($"Not a constraint's refusal: {refused.Message}");
    }

    /// <summary>
    /// A row trigger in the provider's own syntax: <paramref name="body"/> (one statement, NEW and OLD as usual) runs
    /// when <paramref name="condition"/> holds. Test-only DDL: identifiers and literals cannot be parameters here.
    /// </summary>
    private static async Task Trigger(TestApp app, string table, string timing, string condition, string body)
    {
        var name = $"test_{table}_{timing.Replace(' ', '_').ToLowerInvariant()}";
        await using var connection = await app.Db.OpenAsync();
        if (app.Db.Provider == DbProvider.Postgres)
        {
            var result = timing.EndsWith("DELETE", StringComparison.Ordinal) ? "OLD" : "NEW";
            await connection.ExecuteAsync($"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN {result}; END $$;");
            await connection.ExecuteAsync($"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION {name}();");
        }
        else
        {
            await connection.ExecuteAsync($"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW WHEN {condition} BEGIN {body}; END;");
        }
    }
}
