using Dapper;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Payments;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// Verbs for the payments and admin tests. Catalog and bookings data are written straight into the real schema
/// (the bookings slice is built in parallel), exactly as those features leave it.
/// </summary>
public sealed partial class TestApp
{
    public Task<(long ShowtimeId, long MovieId)> SeedShowtime(
        long? movieId = null, string? title = null, DateTimeOffset? startsAt = null, long priceCents = 1250)
        => PaymentsSeed.Showtime(Db, Clock.GetUtcNow(), movieId, title, startsAt, priceCents);

    /// <summary>A PENDING booking holding <paramref name="seats"/> until now + <paramref name="holdFor"/> (10 minutes by default).</summary>
    public Task<long> SeedPendingBooking(
        long userId, string[]? seats = null, long unitPriceCents = 1250, long? showtimeId = null, TimeSpan? holdFor = null)
        => PaymentsSeed.PendingBooking(Db, Clock.GetUtcNow(), userId, seats, unitPriceCents, showtimeId, holdFor);

    /// <summary>A CONFIRMED booking: its claims are sold (expires_at NULL).</summary>
    public Task<long> SeedConfirmedBooking(long userId, long showtimeId, string[] seats, long unitPriceCents)
    {
        var now = Clock.UnixMsNow();
        return PaymentsSeed.Booking(Db, userId, showtimeId, seats, unitPriceCents, "CONFIRMED", now, now + 600_000, now);
    }

    public Task<long> SeedBooking(
        long userId, long showtimeId, string[] seats, long unitPriceCents, string status, long createdAt, long expiresAt, long? confirmedAt)
        => PaymentsSeed.Booking(Db, userId, showtimeId, seats, unitPriceCents, status, createdAt, expiresAt, confirmedAt);

    /// <summary>POST /api/payments through the real function: the HTTP answer as a client sees it, and the queue message.</summary>
    public async Task<(TestResponse Response, PaymentMessage? Message)> Pay(
        string token, long bookingId, string paymentToken = SimulatedPaymentGateway.ApprovedToken, string? idempotencyKey = null, object? body = null)
    {
        var request = Request("POST", "/api/payments", body ?? new { bookingId, paymentToken }, token);
        if (idempotencyKey is not null)
        {
            request.Headers[PaymentService.IdempotencyHeader] = idempotencyKey;
        }

        var output = await Function<PaymentFunctions>().Create(request);
        return (await Send(output.HttpResponse), output.Message);
    }

    /// <summary>Pays and checks the 202: the new payment's id.</summary>
    public async Task<long> StartPayment(string token, long bookingId, string paymentToken = SimulatedPaymentGateway.ApprovedToken)
    {
        var (response, message) = await Pay(token, bookingId, paymentToken);
        Assert.True(response.Status == 202, response.ToString());
        return message!.PaymentId;
    }

    /// <summary>Delivers a <c>payments</c> message to the real queue-triggered function.</summary>
    public Task ProcessPayment(long paymentId)
        => Function<PaymentProcessingFunctions>().Run(new PaymentMessage(paymentId), CancellationToken.None);

    public async Task<T?> Scalar<T>(string sql, object? parameters = null)
    {
        await using var connection = await Db.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }

    public async Task<List<T>> Rows<T>(string sql, object? parameters = null)
    {
        await using var connection = await Db.OpenAsync();
        return [.. await connection.QueryAsync<T>(sql, parameters)];
    }
}

/// <summary>Catalog and booking rows written straight into the real schema, for any host's database.</summary>
public static class PaymentsSeed
{
    private static int _seeded;

    /// <summary>A movie (or <paramref name="movieId"/>), a new theatre and a showtime: the showtime's id and its movie's id.</summary>
    public static async Task<(long ShowtimeId, long MovieId)> Showtime(
        Db db, DateTimeOffset now, long? movieId = null, string? title = null, DateTimeOffset? startsAt = null, long priceCents = 1250)
    {
        var n = Interlocked.Increment(ref _seeded);
        await using var connection = await db.OpenAsync();
        movieId ??= await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO movies (title, description, genre, duration_minutes, rating, release_date, created_at)
            VALUES (@Title, 'A film.', 'Drama', 120, 'PG', '2026-01-01', @Now) RETURNING id;
            """,
            new { Title = title ?? $"Movie {n}", Now = now.ToUnixTimeMilliseconds() });
        var theatreId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO theatres (name, city, address, seat_rows, seats_per_row, created_at)
            VALUES (@Name, 'Lisbon', '1 Main St', 5, 10, @Now) RETURNING id;
            """,
            new { Name = $"Theatre {n}", Now = now.ToUnixTimeMilliseconds() });
        var starts = (startsAt ?? now.AddDays(2)).ToUnixTimeMilliseconds();
        var showtimeId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at)
            VALUES (@MovieId, @TheatreId, @Starts, @Starts + 7200000, @Price, @Now) RETURNING id;
            """,
            new { MovieId = movieId, TheatreId = theatreId, Starts = starts, Price = priceCents, Now = now.ToUnixTimeMilliseconds() });
        return (showtimeId, movieId.Value);
    }

    /// <summary>A PENDING booking holding <paramref name="seats"/> until now + <paramref name="holdFor"/> (10 minutes by default).</summary>
    public static async Task<long> PendingBooking(
        Db db, DateTimeOffset clockNow, long userId, string[]? seats = null, long unitPriceCents = 1250, long? showtimeId = null, TimeSpan? holdFor = null)
    {
        showtimeId ??= (await Showtime(db, clockNow, priceCents: unitPriceCents)).ShowtimeId;
        var now = clockNow.ToUnixTimeMilliseconds();
        var expiresAt = now + (long)(holdFor ?? TimeSpan.FromMinutes(10)).TotalMilliseconds;
        return await Booking(db, userId, showtimeId.Value, seats ?? ["A1", "A2"], unitPriceCents, "PENDING", now, expiresAt, null);
    }

    public static async Task<long> Booking(
        Db db, long userId, long showtimeId, string[] seats, long unitPriceCents, string status, long createdAt, long expiresAt, long? confirmedAt)
    {
        await using var connection = await db.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var bookingId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at,
                                  confirmed_at, cancelled_at)
            VALUES (@ShowtimeId, @UserId, @SeatCount, @Unit, @Unit * @SeatCount, @Status, @CreatedAt, @ExpiresAt, @ConfirmedAt,
                    CASE WHEN @Status = 'CANCELLED' THEN @CreatedAt END)
            RETURNING id;
            """,
            new { ShowtimeId = showtimeId, UserId = userId, SeatCount = seats.Length, Unit = unitPriceCents, Status = status, CreatedAt = createdAt, ExpiresAt = expiresAt, ConfirmedAt = confirmedAt },
            transaction);
        foreach (var seat in seats)
        {
            await connection.ExecuteAsync("INSERT INTO booking_seats (booking_id, seat) VALUES (@BookingId, @Seat);", new { BookingId = bookingId, Seat = seat }, transaction);
            if (status is "PENDING" or "CONFIRMED")
            {
                var claimed = await connection.ExecuteAsync(
                    "UPDATE seat_claims SET booking_id = @BookingId, expires_at = @ExpiresAt WHERE showtime_id = @ShowtimeId AND seat = @Seat;",
                    new { ShowtimeId = showtimeId, Seat = seat, BookingId = bookingId, ExpiresAt = status == "PENDING" ? expiresAt : (long?)null },
                    transaction);
                if (claimed != 1)
                {
                    // Every seat of a showtime has its row (migration 0026): a seat outside the hall would seed a booking with no claim.
                    throw new ArgumentException($"Seat {seat} is not a seat of showtime {showtimeId}'s hall.", nameof(seats));
                }
            }
        }

        await transaction.CommitAsync();
        return bookingId;
    }
}
