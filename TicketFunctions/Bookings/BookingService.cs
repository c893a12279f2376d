using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using TicketFunctions.Auth;
using TicketFunctions.Catalog;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Payments;

namespace TicketFunctions.Bookings;

/// <summary>Holding, reading and cancelling bookings: the logic behind <see cref="BookingFunctions"/>.</summary>
public sealed class BookingService(Db db, TimeProvider clock, IOptions<BookingOptions> options, Refunds refunds, ShowtimeGates showtimes)
{
    public const int MaxSeatsPerBooking = 10;
    private const int CancelAttempts = 3;
    private const int LockConflictAttempts = 3;

    private static readonly SqlScript HoldShowtime = Sql.Load("bookings/hold_showtime");
    private static readonly SqlScript TakenSeats = Sql.Load("bookings/taken_seats");
    private static readonly SqlScript LiveSeats = Sql.Load("bookings/live_seats");
    private static readonly SqlScript FreeSeats = Sql.Load("bookings/free_seats");
    private static readonly SqlScript InsertHold = Sql.Load("bookings/insert_hold");
    private static readonly SqlScript GetBooking = Sql.Load("bookings/get_booking");
    private static readonly SqlScript ListBookings = Sql.Load("bookings/list_bookings");
    private static readonly SqlScript CountBookings = Sql.Load("bookings/count_bookings");
    private static readonly SqlScript GetBookingForCancel = Sql.Load("bookings/get_booking_for_cancel");
    private static readonly SqlScript CancelBooking = Sql.Load("bookings/cancel_booking");
    private static readonly SqlScript RefundPayment = Sql.Load("bookings/refund_payment");
    private static readonly SqlScript ReleaseClaims = Sql.Load("bookings/release_claims");

    /// <summary>
    /// Holds seats for the caller: the showtime must exist and not have started, the per-user limit must allow them,
    /// and the named seats must all be free (or the picker's best free seats are taken); then the booking, its seats
    /// and the claims on the showtime's seat rows are written in one transaction. A seat row is free when it has no
    /// live claim, so an ended hold's seats are free at once. PostgreSQL: one call of hold_seats() and the commit.
    /// SQLite: the process's one writer, in the showtime's turn.
    /// </summary>
    public async Task<Result<BookingResponse>> CreateAsync(BookingRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var requested = CheckRequest(request);
        if (!requested.IsSuccess)
        {
            return requested.Error!;
        }

        var seatCount = request.SeatCount ?? requested.Value.Length;
        return db.Provider == DbProvider.Postgres
            ? await HoldOnPostgresAsync(request.ShowtimeId, caller, requested.Value, seatCount, cancellationToken)
            : await HoldOnSqliteAsync(request, caller, requested.Value, seatCount, cancellationToken);
    }

    /// <summary>
    /// One round trip and the commit: hold_seats() takes the caller's row lock and the seats' own, never a lock that
    /// other holds of the showtime wait behind, and answers a sold-out showtime at once. "retry" means every pick
    /// left was being claimed by holds in flight: this transaction's locks are dropped and the second call waits for
    /// those holds inside the function, holding no seat while it waits (migrations/postgres/0030), until it holds
    /// seats or the showtime is sold out. A transaction PostgreSQL rolls back to break a lock cycle with other work
    /// (a hold handing over an ended booking's seats while its payment confirms, say) runs again, a few times, then
    /// the caller is told to come back: 503 with Retry-After, nothing written.
    /// </summary>
    private async Task<Result<BookingResponse>> HoldOnPostgresAsync(long showtimeId, Caller caller, Seat[] requested, int seatCount, CancellationToken cancellationToken)
    {
        var seats = requested.Length > 0 ? JsonSerializer.Serialize(requested.Select(s => s.ToString())) : null;
        var conflicts = 0;
        for (var attempt = 0; ; attempt++)
        {
            await using var write = await db.WriteAsync(cancellationToken);
            var now = clock.UnixMsNow();
            var expiresAt = now + (long)options.Value.HoldDuration.TotalMilliseconds;
            HoldRow hold;
            try
            {
                hold = await write.Connection.QuerySingleAsync<HoldRow>(InsertHold, new
                {
                    ShowtimeId = showtimeId,
                    UserId = caller.Id,
                    Seats = seats,
                    SeatCount = seatCount,
                    Now = now,
                    ExpiresAt = expiresAt,
                    Limit = options.Value.MaxSeatsPerUserPerShowtime,
                    Wait = attempt > 0,
                }, write.Transaction);
            }
            catch (DbException e) when (DbRefusal.Is(e, DbRefusalKind.Unique, "seat_claims"))
            {
                // The schema's backstop (seat_claims' hand-over trigger) refused a second claim on a live seat.
                return SeatsTaken(requested.Select(s => s.ToString()));
            }
            catch (DbException e) when (LockConflict.Is(e))
            {
                if (++conflicts < LockConflictAttempts)
                {
                    continue;
                }

                return new Error.Unavailable("The seats of this showtime are in high demand; try again.", TimeSpan.FromSeconds(1));
            }

            switch (hold.Outcome)
            {
                case "retry":
                    continue;
                case "held":
                    await write.CommitAsync(cancellationToken);
                    return Held(hold.BookingId, showtimeId, caller, hold.Seats!, seatCount, hold.PriceCents, now, expiresAt);
                case "no_showtime":
                    return NoShowtime();
                case "outside":
                    return Outside(requested, hold.SeatRows, hold.SeatsPerRow);
                case "started":
                    return Started();
                case "seat_limit":
                    return SeatLimit(hold.Held);
                case "seats_taken":
                    return SeatsTaken(hold.Seats!);
                case "not_enough":
                    return NotEnoughSeats(seatCount, hold.Available);
                default:
                    throw new InvalidOperationException($"hold_seats() answered an unknown outcome '{hold.Outcome}'.");
            }
        }
    }

    /// <summary>
    /// SQLite's hold under the one writer: the showtime with the caller's count, the free seats for a count, then one
    /// batch that inserts the booking and claims the seat rows that are free; a named seat taken meanwhile leaves a
    /// claim short, and the transaction is rolled back.
    /// </summary>
    private async Task<Result<BookingResponse>> HoldOnSqliteAsync(BookingRequest request, Caller caller, Seat[] requested, int seatCount, CancellationToken cancellationToken)
    {
        if (request.SeatCount is not null && await SoldOutAsync(request.ShowtimeId, seatCount, cancellationToken) is { } soldOut)
        {
            return soldOut;
        }

        // Holds of one showtime take turns in this process (see ShowtimeGates): when it is full, the ones behind are
        // refused at their turn by one short pass, instead of a crowd waiting on the database's lock.
        using var turn = await showtimes.EnterAsync(request.ShowtimeId, cancellationToken);
        await using var write = await db.WriteAsync(cancellationToken);

        // Read once the write lock is held: waiting for it must not make ended holds look live.
        var now = clock.UnixMsNow();
        var checkedSeats = await CheckAsync(write, request, caller, requested, seatCount, now);
        if (!checkedSeats.IsSuccess)
        {
            return checkedSeats.Error!;
        }

        var (showtime, seats) = checkedSeats.Value;
        var labels = seats.Select(s => s.ToString()).ToArray();
        var expiresAt = now + (long)options.Value.HoldDuration.TotalMilliseconds;
        var json = JsonSerializer.Serialize(labels);
        HoldRow hold;
        try
        {
            hold = await write.Connection.QuerySingleAsync<HoldRow>(InsertHold, new
            {
                ShowtimeId = showtime.Id,
                UserId = caller.Id,
                SeatCount = seatCount,
                UnitPriceCents = showtime.PriceCents,
                TotalPriceCents = showtime.PriceCents * seatCount,
                Now = now,
                ExpiresAt = expiresAt,
                Seats = json,
            }, write.Transaction);
        }
        catch (DbException e) when (DbRefusal.Is(e, DbRefusalKind.Unique, "seat_claims"))
        {
            return SeatsTaken(labels);
        }

        if (hold.Claimed < seatCount)
        {
            await write.DisposeAsync();
            await using var connection = await db.OpenAsync(cancellationToken);
            return SeatsTaken(await connection.QueryAsync<string>(TakenSeats, new { ShowtimeId = showtime.Id, Seats = json, Now = now }));
        }

        await write.CommitAsync(cancellationToken);

        // The answer is what was just inserted (the rows hold nothing else), so nothing is read back under the lock.
        return Held(hold.BookingId, showtime.Id, caller, labels, seatCount, showtime.PriceCents, now, expiresAt);
    }

    private static BookingResponse Held(long bookingId, long showtimeId, Caller caller, IEnumerable<string> seats, int seatCount, long priceCents, long now, long expiresAt)
        => new(bookingId, showtimeId, caller.Id, Seat.Sorted(seats), seatCount, Money.FromCents(priceCents),
            Money.FromCents(priceCents * seatCount), BookingStatus.Pending, Time.FromUnixMs(now), Time.FromUnixMs(expiresAt), null);

    /// <summary>
    /// A count that the showtime's free seats cannot meet is refused before the hold queues in ShowtimeGates and on
    /// SQLite's one writer, so that a sold-out showtime answers at once. Read without a lock: a seat freed just after
    /// the read is one this request missed by a moment; the hold's own checks still decide.
    /// </summary>
    private async Task<Error.Conflict?> SoldOutAsync(long showtimeId, int seatCount, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var free = await connection.ExecuteScalarAsync<long?>(FreeSeats, new { Id = showtimeId, Now = clock.UnixMsNow() });
        return free is { } available && available < seatCount ? NotEnoughSeats(seatCount, available) : null;
    }

    public async Task<BookingResponse?> GetAsync(long id, Caller caller, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<BookingRow>(GetBooking, new { Id = id, CallerId = caller.Id, caller.IsAdmin, Now = clock.UnixMsNow() });
        return row is null ? null : BookingResponse.From(row);
    }

    /// <summary>The caller's own bookings, newest first; the query's status filters on the status as read.</summary>
    public async Task<PagedList<BookingResponse>> ListAsync(Caller caller, BookingQuery query, CancellationToken cancellationToken)
    {
        var args = new { CallerId = caller.Id, query.Status, Now = clock.UnixMsNow(), query.PageSize, query.Offset };
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<BookingRow>(ListBookings, args);
        var total = await connection.ExecuteScalarAsync<long>(CountBookings, args);
        return PagedList<BookingResponse>.Of([.. rows.Select(BookingResponse.From)], query, total);
    }

    /// <summary>
    /// Cancels a PENDING (hold still running) or CONFIRMED booking and releases its seats. A confirmed booking's
    /// payment becomes REFUNDED in the same transaction, which also records the refund as owed (the outbox); the
    /// gateway is asked after the commit, and the refund sweep finishes the refund if that call fails or the process
    /// dies first. If the booking changes between the read and the write (a payment confirming it, say), the whole
    /// step runs again from what it has become.
    /// </summary>
    public async Task<Result<BookingResponse>> CancelAsync(long id, Caller caller, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < CancelAttempts; attempt++)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var booking = await connection.QuerySingleOrDefaultAsync<CancelRow>(GetBookingForCancel, new { Id = id, CallerId = caller.Id, caller.IsAdmin, Now = clock.UnixMsNow() });
            if (booking is null)
            {
                return new Error.NotFound("No booking with this id.");
            }

            var refusal = CheckCancellable(booking, caller, clock.UnixMsNow());
            if (refusal is not null)
            {
                return refusal;
            }

            await connection.CloseAsync();
            await using var write = await db.WriteAsync(cancellationToken);

            // Read once the write lock is held: waiting for it must not let a hold that ended meanwhile be cancelled.
            // The claims go before the booking changes, the order in which a payment's confirmation and a hold's
            // reclaim lock them, so that a cancel racing a payment waits for it instead of deadlocking with it; a
            // booking that changed meanwhile rolls the release back.
            var now = clock.UnixMsNow();
            await write.Connection.ExecuteAsync(ReleaseClaims, new { Id = id }, write.Transaction);
            var cancelled = await write.Connection.ExecuteAsync(CancelBooking, new { Id = id, ExpectedStatus = booking.StoredStatus, Now = now }, write.Transaction);
            if (cancelled == 0)
            {
                continue;
            }

            var refunding = booking.Status == BookingStatus.Confirmed && booking.PaymentId is not null
                && await write.Connection.ExecuteAsync(RefundPayment, new { booking.PaymentId, Now = now, RefundDueAt = refunds.DueAt(now) }, write.Transaction) > 0;
            var row = await write.Connection.QuerySingleAsync<BookingRow>(GetBooking, new { Id = id, CallerId = caller.Id, caller.IsAdmin, Now = now }, write.Transaction);
            await write.CommitAsync(cancellationToken);
            if (refunding)
            {
                await refunds.TryRefundAsync(booking.PaymentId!.Value, cancellationToken);
            }

            return BookingResponse.From(row);
        }

        return new Error.Conflict("booking_changed", "The booking kept changing while it was being cancelled; read it and try again.");
    }

    private static Error.Conflict? CheckCancellable(CancelRow booking, Caller caller, long now)
    {
        if (booking.Status is not (BookingStatus.Pending or BookingStatus.Confirmed))
        {
            return new Error.Conflict("booking_not_cancellable", $"The booking is {booking.Status}; only a PENDING or CONFIRMED booking can be cancelled.",
                new Dictionary<string, object?> { ["bookingStatus"] = booking.Status });
        }

        // Once the show has begun the ticket has been usable: only the theatre (an admin) may still cancel and refund.
        return booking.StartsAt <= now && !caller.IsAdmin
            ? new Error.Conflict("showtime_started", "The showtime has already started; the booking can no longer be cancelled.")
            : null;
    }

    /// <summary>
    /// In SQLite's hold transaction: the showtime and the seats to hold, or why not: unknown showtime or seats
    /// outside the theatre (400), started, the per-user limit or too few seats (409). Named seats are checked by the
    /// claim itself.
    /// </summary>
    private async Task<Result<(HoldShowtimeRow Showtime, Seat[] Seats)>> CheckAsync(
        WriteTransaction write, BookingRequest request, Caller caller, Seat[] requested, int seatCount, long now)
    {
        var (connection, transaction) = (write.Connection, write.Transaction);
        var showtime = await connection.QuerySingleOrDefaultAsync<HoldShowtimeRow>(HoldShowtime, new { Id = request.ShowtimeId, UserId = caller.Id, Now = now }, transaction);
        if (showtime is null)
        {
            return NoShowtime();
        }

        if (requested.Any(s => !s.IsIn(showtime.SeatRows, showtime.SeatsPerRow)))
        {
            return Outside(requested, showtime.SeatRows, showtime.SeatsPerRow);
        }

        if (showtime.StartsAt <= now)
        {
            return Started();
        }

        if (showtime.UserClaims + seatCount > options.Value.MaxSeatsPerUserPerShowtime)
        {
            return SeatLimit(showtime.UserClaims);
        }

        if (requested.Length > 0)
        {
            return (showtime, requested);
        }

        var live = (await connection.QueryAsync<string>(LiveSeats, new { ShowtimeId = showtime.Id, Now = now }, transaction)).Select(Seat.Parse).ToHashSet();
        var picked = SeatPicker.Pick((int)showtime.SeatRows, (int)showtime.SeatsPerRow, live, seatCount);
        return picked is null ? NotEnoughSeats(seatCount, (showtime.SeatRows * showtime.SeatsPerRow) - live.Count) : (showtime, picked.ToArray());
    }

    // An unknown id answers 404 wherever it is sent (API.md), in the body as in the path.
    private static Error.NotFound NoShowtime() => new("No showtime with this id.");

    private static Error.Invalid Outside(Seat[] requested, long seatRows, long seatsPerRow)
    {
        var outside = requested.Where(s => !s.IsIn(seatRows, seatsPerRow));
        return new Error.Invalid("seats", $"Not seats of this theatre (rows A..{new Seat((int)seatRows - 1, 1).RowLetter}, numbers 1..{seatsPerRow}): {string.Join(", ", outside)}.");
    }

    private static Error.Conflict Started() => new("showtime_started", "The showtime has already started; it can no longer be booked.");

    private Error.Conflict SeatLimit(long held)
    {
        var max = options.Value.MaxSeatsPerUserPerShowtime;
        return new Error.Conflict("seat_limit", $"One account may hold or own at most {max} seats of a showtime; you have {held}.",
            new Dictionary<string, object?> { ["limit"] = max, ["held"] = held });
    }

    private static Error.Conflict NotEnoughSeats(int seatCount, long available) =>
        new("not_enough_seats", $"The showtime has fewer than {seatCount} free seats.", new Dictionary<string, object?> { ["availableSeats"] = available });

    private static Error.Conflict SeatsTaken(IEnumerable<string> taken)
    {
        var seats = Seat.Sorted(taken);
        return new Error.Conflict("seats_taken", $"These seats are already taken: {string.Join(", ", seats)}.",
            new Dictionary<string, object?> { ["seats"] = seats });
    }

    /// <summary>The named seats (normalized, in row-major order), or none for a seatCount request; field errors otherwise.</summary>
    private static Result<Seat[]> CheckRequest(BookingRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.ShowtimeId <= 0)
        {
            errors.Add("showtimeId", "Must be a positive showtime id.");
        }

        var seats = new List<Seat>();
        if ((request.Seats is null) == (request.SeatCount is null))
        {
            errors.Add("seats", "Give either seats (such as [\"A1\", \"A2\"]) or seatCount, not both.");
        }
        else if (request.SeatCount is { } count && count is < 1 or > MaxSeatsPerBooking)
        {
            errors.Add("seatCount", $"Must be from 1 to {MaxSeatsPerBooking}.");
        }
        else if (request.Seats is { } labels)
        {
            if (labels.Count is < 1 or > MaxSeatsPerBooking)
            {
                errors.Add("seats", $"Give from 1 to {MaxSeatsPerBooking} seats.");
            }

            // Spaces around a label are forgiven; control characters are not (a NUL must not vanish into "E1").
            var bad = labels.Where(l => !Validate.IsPrintable(l) || !Seat.TryParse(l?.Trim(), out _))
                .Select(l => l is null ? "null" : JsonSerializer.Serialize(l)).ToList();
            if (bad.Count > 0)
            {
                errors.Add("seats", $"Seats are a row letter and a number, such as A1; not valid: {string.Join(", ", bad)}.");
            }
            else
            {
                seats = [.. labels.Select(l => Seat.Parse(l!.Trim()))];
                var duplicates = seats.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key.ToString()).ToList();
                if (duplicates.Count > 0)
                {
                    errors.Add("seats", $"Each seat may appear once; repeated: {string.Join(", ", duplicates)}.");
                }
            }
        }

        return errors.Count > 0 ? new Error.Invalid(errors) : seats.Order().ToArray();
    }
}
