using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using TicketFunctions.Auth;
using TicketFunctions.Bookings;
using TicketFunctions.Common;
using TicketFunctions.Payments;

namespace TicketFunctions.Admin;

/// <summary>A booking as administrators list it: the booking's fields plus who, what, where, when and how it is paid.</summary>
public sealed record AdminBookingResponse(
    long Id,
    long ShowtimeId,
    long UserId,
    IReadOnlyList<string> Seats,
    int SeatCount,
    decimal UnitPrice,
    decimal TotalPrice,
    [property: OneOf(typeof(BookingStatus))] string Status,
    DateTime CreatedAt,
    DateTime ExpiresAt,
    DateTime? ConfirmedAt,
    string UserEmail,
    string MovieTitle,
    string TheatreName,
    DateTime StartsAt,
    [property: OneOf(typeof(PaymentStatuses))] string? PaymentStatus) : IExample<AdminBookingResponse>
{
    public static AdminBookingResponse Example => new(
        1, 1, 2, ["A1", "A2"], 2, 12.50m, 25.00m, BookingStatus.Confirmed, new DateTime(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc),
        new DateTime(2026, 11, 27, 9, 10, 0, DateTimeKind.Utc), new DateTime(2026, 11, 27, 9, 1, 0, DateTimeKind.Utc), "ada@example.com", "Arrival",
        "Odeon Riverside", new DateTime(2026, 12, 4, 18, 30, 0, DateTimeKind.Utc), PaymentStatuses.Success);

    public static AdminBookingResponse From(AdminBookingRow b) => new(
        b.Id, b.ShowtimeId, b.UserId, b.SeatList, b.SeatCount, Money.FromCents(b.UnitPriceCents), Money.FromCents(b.TotalPriceCents), b.Status,
        Time.FromUnixMs(b.CreatedAt), Time.FromUnixMs(b.ExpiresAt), Time.FromUnixMs(b.ConfirmedAt), b.UserEmail, b.MovieTitle, b.TheatreName,
        Time.FromUnixMs(b.StartsAt), b.PaymentStatus);
}

/// <summary>One booking in full for administrators: its fields, its user, and every payment made for it (oldest first).</summary>
public sealed record AdminBookingDetailResponse(
    long Id,
    long ShowtimeId,
    long UserId,
    IReadOnlyList<string> Seats,
    int SeatCount,
    decimal UnitPrice,
    decimal TotalPrice,
    [property: OneOf(typeof(BookingStatus))] string Status,
    DateTime CreatedAt,
    DateTime ExpiresAt,
    DateTime? ConfirmedAt,
    string MovieTitle,
    string TheatreName,
    DateTime StartsAt,
    [property: OneOf(typeof(PaymentStatuses))] string? PaymentStatus,
    UserResponse User,
    IReadOnlyList<PaymentResponse> Payments) : IExample<AdminBookingDetailResponse>
{
    public static AdminBookingDetailResponse Example => new(
        1, 1, 2, ["A1", "A2"], 2, 12.50m, 25.00m, BookingStatus.Confirmed, new DateTime(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc),
        new DateTime(2026, 11, 27, 9, 10, 0, DateTimeKind.Utc), new DateTime(2026, 11, 27, 9, 1, 0, DateTimeKind.Utc), "Arrival", "Odeon Riverside",
        new DateTime(2026, 12, 4, 18, 30, 0, DateTimeKind.Utc), PaymentStatuses.Success, UserResponse.Example,
        [PaymentResponse.Example with { Status = PaymentStatuses.Success, ProcessedAt = new DateTime(2026, 11, 27, 9, 1, 0, DateTimeKind.Utc) }]);

    public static AdminBookingDetailResponse From(AdminBookingRow b, IEnumerable<PaymentView> payments) => new(
        b.Id, b.ShowtimeId, b.UserId, b.SeatList, b.SeatCount, Money.FromCents(b.UnitPriceCents), Money.FromCents(b.TotalPriceCents), b.Status,
        Time.FromUnixMs(b.CreatedAt), Time.FromUnixMs(b.ExpiresAt), Time.FromUnixMs(b.ConfirmedAt), b.MovieTitle, b.TheatreName,
        Time.FromUnixMs(b.StartsAt), b.PaymentStatus,
        new UserResponse(b.UserId, b.UserEmail, b.UserFullName, b.UserRole, Time.FromUnixMs(b.UserCreatedAt)),
        [.. payments.Select(PaymentResponse.From)]);
}

/// <summary>Sales of confirmed bookings per movie, for showtimes starting between from and to.</summary>
public sealed record SalesReportResponse(DateTime? From, DateTime? To, IReadOnlyList<MovieSales> Movies, SalesTotals Totals)
    : IExample<SalesReportResponse>
{
    public static SalesReportResponse Example
        => new(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), null, [new(1, "Arrival", 2, 25.00m, 1)], new(2, 25.00m, 1));
}

public sealed record MovieSales(long MovieId, string Title, long TicketsSold, decimal Revenue, long Showtimes);

public sealed record SalesTotals(long TicketsSold, decimal Revenue, long Showtimes);

/// <summary>A bookings row joined with its user, showtime, movie, theatre and latest payment status.</summary>
public sealed record AdminBookingRow
{
    public long Id { get; init; }

    public long ShowtimeId { get; init; }

    public long UserId { get; init; }

    public string? Seats { get; init; }

    public IReadOnlyList<string> SeatList => Seats is null ? [] : Seats.Split(',');

    public int SeatCount { get; init; }

    public long UnitPriceCents { get; init; }

    public long TotalPriceCents { get; init; }

    public string Status { get; init; } = "";

    public long CreatedAt { get; init; }

    public long ExpiresAt { get; init; }

    public long? ConfirmedAt { get; init; }

    public string UserEmail { get; init; } = "";

    public string MovieTitle { get; init; } = "";

    public string TheatreName { get; init; } = "";

    public long StartsAt { get; init; }

    public string? PaymentStatus { get; init; }

    public string UserFullName { get; init; } = "";

    public string UserRole { get; init; } = "";

    public long UserCreatedAt { get; init; }
}

/// <summary>The query of GET /api/manage/bookings.</summary>
public sealed record AdminBookingQuery : PagedQuery, IValidatableObject
{
    [Description("A PENDING booking whose hold has ended counts as EXPIRED.")]
    [OneOf(typeof(BookingStatus))]
    public string? Status { get; init; }

    [Range(1, long.MaxValue)]
    public long? UserId { get; init; }

    [Range(1, long.MaxValue)]
    public long? ShowtimeId { get; init; }

    [Range(1, long.MaxValue)]
    public long? MovieId { get; init; }

    [Description("Bookings created at or after this instant (the booking's createdAt, not the showtime's start). A date means 00:00Z that day.")]
    public DateTime? From { get; init; }

    [Description("Bookings created at or before this instant (the booking's createdAt, inclusive). A date takes the whole of that day. Must not be before from.")]
    [EndOfDay]
    public DateTime? To { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => Query.InOrder(From, To);
}

/// <summary>The query of GET /api/manage/reports/sales.</summary>
public sealed record SalesQuery : IValidatableObject
{
    [Description("Showtimes starting at or after this instant; a date means 00:00Z that day.")]
    public DateTime? From { get; init; }

    [Description("Showtimes starting at or before this instant; a date takes the whole of that day. Must not be before from.")]
    [EndOfDay]
    public DateTime? To { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => Query.InOrder(From, To);
}

public sealed record SalesRow
{
    public long MovieId { get; init; }

    public string Title { get; init; } = "";

    public long TicketsSold { get; init; }

    public long RevenueCents { get; init; }

    public long Showtimes { get; init; }
}
