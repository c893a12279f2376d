using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using TicketFunctions.Catalog;
using TicketFunctions.Common;

namespace TicketFunctions.Bookings;

/// <summary>Bookings settings, section "Bookings"; validated at start-up.</summary>
public sealed class BookingOptions
{
    /// <summary>How long a PENDING booking holds its seats (Bookings__HoldDuration).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Bookings:HoldDuration must be from 10 seconds to 1 day.")]
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most seats one user may hold or own for one showtime, across all their bookings.</summary>
    [Range(1, 1300, ErrorMessage = "Bookings:MaxSeatsPerUserPerShowtime must be from 1 to 1300.")]
    public int MaxSeatsPerUserPerShowtime { get; set; } = 10;
}

/// <summary>Book named seats (<c>seats</c>) or let the app choose (<c>seatCount</c>): exactly one of them, 1..10 seats.</summary>
public sealed record BookingRequest(
    long ShowtimeId,
    [property: Length(1, BookingService.MaxSeatsPerBooking)] IReadOnlyList<string?>? Seats = null,
    [property: Range(1, BookingService.MaxSeatsPerBooking)] int? SeatCount = null) : IExample<BookingRequest>
{
    public static BookingRequest Example => new(1, ["A1", "A2"]);
}

/// <summary>The query of GET /api/bookings.</summary>
public sealed record BookingQuery : PagedQuery
{
    [Description("A PENDING booking whose hold has ended is EXPIRED.")]
    [OneOf(typeof(BookingStatus))]
    public string? Status { get; init; }
}

public static class BookingStatus
{
    public const string Pending = "PENDING";
    public const string Confirmed = "CONFIRMED";
    public const string Cancelled = "CANCELLED";
    public const string Expired = "EXPIRED";

    public static readonly string[] All = [Pending, Confirmed, Cancelled, Expired];
}

public sealed record BookingResponse(
    long Id, long ShowtimeId, long UserId, IReadOnlyList<string> Seats, int SeatCount, decimal UnitPrice, decimal TotalPrice,
    [property: OneOf(typeof(BookingStatus))] string Status, DateTime CreatedAt, DateTime ExpiresAt, DateTime? ConfirmedAt) : IExample<BookingResponse>
{
    public static BookingResponse Example => new(
        1, 1, 2, ["A1", "A2"], 2, 12.50m, 25.00m, BookingStatus.Pending,
        new DateTime(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 27, 9, 10, 0, DateTimeKind.Utc), null);

    public static BookingResponse From(BookingRow row) => new(
        row.Id, row.ShowtimeId, row.UserId,
        Seat.Sorted((row.SeatList ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)),
        (int)row.SeatCount, Money.FromCents(row.UnitPriceCents), Money.FromCents(row.TotalPriceCents), row.Status,
        Time.FromUnixMs(row.CreatedAt), Time.FromUnixMs(row.ExpiresAt), Time.FromUnixMs(row.ConfirmedAt));
}

public sealed class BookingRow
{
    public long Id { get; set; }

    public long ShowtimeId { get; set; }

    public long UserId { get; set; }

    public string? SeatList { get; set; }

    public long SeatCount { get; set; }

    public long UnitPriceCents { get; set; }

    public long TotalPriceCents { get; set; }

    public string Status { get; set; } = "";

    public long CreatedAt { get; set; }

    public long ExpiresAt { get; set; }

    public long? ConfirmedAt { get; set; }
}

/// <summary>The showtime a hold is for, its hall, and the seats the caller already holds or owns of it (live claims).</summary>
public sealed class HoldShowtimeRow
{
    public long Id { get; set; }

    public long StartsAt { get; set; }

    public long PriceCents { get; set; }

    public long SeatRows { get; set; }

    public long SeatsPerRow { get; set; }

    public long UserClaims { get; set; }
}

/// <summary>
/// What a hold's claim answers: on PostgreSQL hold_seats()'s outcome with what it names (see
/// migrations/postgres/0026_seat_rows.sql); on SQLite "held" with the booking's id and the seats claimed.
/// </summary>
public sealed class HoldRow
{
    public string Outcome { get; set; } = "";

    public long BookingId { get; set; }

    public long Claimed { get; set; }

    public string[]? Seats { get; set; }

    public long PriceCents { get; set; }

    public long SeatRows { get; set; }

    public long SeatsPerRow { get; set; }

    public long Held { get; set; }

    public long Available { get; set; }
}

public sealed class CancelRow
{
    public long Id { get; set; }

    public string StoredStatus { get; set; } = "";

    public string Status { get; set; } = "";

    public long StartsAt { get; set; }

    public long? PaymentId { get; set; }
}
