using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using TicketFunctions.Bookings;
using TicketFunctions.Common;

namespace TicketFunctions.Catalog;

/// <summary>The query of GET /api/movies.</summary>
public sealed record MovieQuery : PagedQuery
{
    [Description("Part of the title, ignoring case.")]
    [StringLength(200)]
    public string? Search { get; init; }

    [Description("The whole genre, ignoring case.")]
    [StringLength(50)]
    public string? Genre { get; init; }
}

/// <summary>The query of GET /api/theatres.</summary>
public sealed record TheatreQuery : PagedQuery
{
    [Description("The whole city name, ignoring case.")]
    [StringLength(100)]
    public string? City { get; init; }
}

/// <summary>The query of GET /api/showtimes.</summary>
public sealed record ShowtimeQuery : PagedQuery
{
    [Range(1, long.MaxValue)]
    public long? MovieId { get; init; }

    [Range(1, long.MaxValue)]
    public long? TheatreId { get; init; }

    [Description("The UTC day of startsAt.")]
    public DateOnly? Date { get; init; }

    [Description("Also showtimes that have started (startsAt before now).")]
    public bool IncludePast { get; init; }
}

/// <summary>A movie as clients send it (POST and PUT); <c>description</c> may be left out for an empty one.</summary>
/// <remarks>The limits are the rules that validation (<see cref="Fields"/>) and the OpenAPI schema both read.</remarks>
public sealed record MovieRequest(
    [property: StringLength(200, MinimumLength = 1)] string Title,
    [property: StringLength(50, MinimumLength = 1)] string Genre,
    [property: Range(1, 600)] int DurationMinutes,
    [property: StringLength(10, MinimumLength = 1)] string Rating,
    DateOnly ReleaseDate,
    [property: StringLength(4000)] string? Description = null) : IExample<MovieRequest>
{
    public static MovieRequest Example => new("Arrival", "Science fiction", 116, "PG-13", new DateOnly(2016, 11, 11), "A linguist learns to talk with visitors.");
}

public sealed record MovieResponse(
    long Id, string Title, string Description, string Genre, int DurationMinutes, string Rating, DateOnly ReleaseDate) : IExample<MovieResponse>
{
    public static MovieResponse Example
        => new(1, "Arrival", "A linguist learns to talk with visitors.", "Science fiction", 116, "PG-13", new DateOnly(2016, 11, 11));


    public static MovieResponse From(MovieRow row) => new(
        row.Id, row.Title, row.Description, row.Genre, (int)row.DurationMinutes, row.Rating,
        DateOnly.ParseExact(row.ReleaseDate, "yyyy-MM-dd", CultureInfo.InvariantCulture));
}

public sealed record TheatreRequest(
    [property: StringLength(200, MinimumLength = 1)] string Name,
    [property: StringLength(100, MinimumLength = 1)] string City,
    [property: StringLength(300, MinimumLength = 1)] string Address,
    [property: Range(1, Seat.MaxRows)] int SeatRows,
    [property: Range(1, Seat.MaxSeatsPerRow)] int SeatsPerRow) : IExample<TheatreRequest>
{
    public static TheatreRequest Example => new("Odeon Riverside", "London", "1 River Street", 10, 12);
}

public sealed record TheatreResponse(long Id, string Name, string City, string Address, int SeatRows, int SeatsPerRow, int Capacity)
    : IExample<TheatreResponse>
{
    public static TheatreResponse Example => new(1, "Odeon Riverside", "London", "1 River Street", 10, 12, 120);


    public static TheatreResponse From(TheatreRow row)
        => new(row.Id, row.Name, row.City, row.Address, (int)row.SeatRows, (int)row.SeatsPerRow, (int)(row.SeatRows * row.SeatsPerRow));
}

/// <summary>A new showtime: <c>startsAt</c> in the future (with a UTC offset), <c>price</c> above 0 with at most 2 decimals.</summary>
public sealed record ShowtimeRequest(
    long MovieId,
    long TheatreId,
    DateTime StartsAt,
    [property: Range(typeof(decimal), "0", "100000", MinimumIsExclusive = true, ParseLimitsInInvariantCulture = true)] decimal Price)
    : IExample<ShowtimeRequest>
{
    /// <summary>Next week at 18:30Z, so that the example is always a valid start (in the future, at most 5 years ahead).</summary>
    public static DateTime NextWeek => DateTime.UtcNow.Date.AddDays(7).AddHours(18.5);

    public static ShowtimeRequest Example => new(1, 1, NextWeek, 12.50m);
}

public sealed record ShowtimeResponse(
    long Id, long MovieId, string MovieTitle, long TheatreId, string TheatreName,
    DateTime StartsAt, DateTime EndsAt, decimal Price, int Capacity, int AvailableSeats) : IExample<ShowtimeResponse>
{
    public static ShowtimeResponse Example
        => new(1, 1, "Arrival", 1, "Odeon Riverside", ShowtimeRequest.NextWeek, ShowtimeRequest.NextWeek.AddMinutes(116), 12.50m, 120, 118);


    public static ShowtimeResponse From(ShowtimeRow row) => new(
        row.Id, row.MovieId, row.MovieTitle, row.TheatreId, row.TheatreName,
        Time.FromUnixMs(row.StartsAt), Time.FromUnixMs(row.EndsAt), Money.FromCents(row.PriceCents),
        (int)row.Capacity, (int)row.AvailableSeats);
}

public sealed record SeatMapResponse(long ShowtimeId, IReadOnlyList<SeatStatusResponse> Seats) : IExample<SeatMapResponse>
{
    public static SeatMapResponse Example => new(1, [new("A1", "A", 1, SeatStatus.Booked), new("A2", "A", 2, SeatStatus.Held), new("A3", "A", 3, SeatStatus.Available)]);
}

/// <summary>One seat of a showtime: <c>available</c>, <c>held</c> (a pending booking's hold) or <c>booked</c> (sold).</summary>
public sealed record SeatStatusResponse(string Seat, string Row, int Number, [property: OneOf(typeof(SeatStatus))] string Status);

public static class SeatStatus
{
    public const string Available = "available";
    public const string Held = "held";
    public const string Booked = "booked";

    public static readonly string[] All = [Available, Held, Booked];
}

public sealed class MovieRow
{
    public long Id { get; set; }

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public string Genre { get; set; } = "";

    public long DurationMinutes { get; set; }

    public string Rating { get; set; } = "";

    public string ReleaseDate { get; set; } = "";
}

public sealed class TheatreRow
{
    public long Id { get; set; }

    public string Name { get; set; } = "";

    public string City { get; set; } = "";

    public string Address { get; set; } = "";

    public long SeatRows { get; set; }

    public long SeatsPerRow { get; set; }
}

public sealed class ShowtimeRow
{
    public long Id { get; set; }

    public long MovieId { get; set; }

    public string MovieTitle { get; set; } = "";

    public long TheatreId { get; set; }

    public string TheatreName { get; set; } = "";

    public long StartsAt { get; set; }

    public long EndsAt { get; set; }

    public long PriceCents { get; set; }

    public long Capacity { get; set; }

    public long AvailableSeats { get; set; }
}

public sealed class SeatClaimRow
{
    public string Seat { get; set; } = "";

    public long? ExpiresAt { get; set; }
}
