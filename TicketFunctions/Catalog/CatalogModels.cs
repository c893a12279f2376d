using System.Globalization;
using TicketFunctions.Common;

namespace TicketFunctions.Catalog;

/// <summary>A movie as clients send it (POST and PUT); <c>description</c> may be left out for an empty one.</summary>
public sealed record MovieRequest(
    string Title,
    string Genre,
    int DurationMinutes,
    string Rating,
    DateOnly ReleaseDate,
    string? Description = null);

public sealed record MovieResponse(
    long Id, string Title, string Description, string Genre, int DurationMinutes, string Rating, DateOnly ReleaseDate)
{
    public static MovieResponse From(MovieRow row) => new(
        row.Id, row.Title, row.Description, row.Genre, (int)row.DurationMinutes, row.Rating,
        DateOnly.ParseExact(row.ReleaseDate, "yyyy-MM-dd", CultureInfo.InvariantCulture));
}

public sealed record TheatreRequest(string Name, string City, string Address, int SeatRows, int SeatsPerRow);

public sealed record TheatreResponse(long Id, string Name, string City, string Address, int SeatRows, int SeatsPerRow, int Capacity)
{
    public static TheatreResponse From(TheatreRow row)
        => new(row.Id, row.Name, row.City, row.Address, (int)row.SeatRows, (int)row.SeatsPerRow, (int)(row.SeatRows * row.SeatsPerRow));
}

/// <summary>A new showtime: <c>startsAt</c> in the future (with a UTC offset), <c>price</c> above 0 with at most 2 decimals.</summary>
public sealed record ShowtimeRequest(long MovieId, long TheatreId, DateTime StartsAt, decimal Price);

public sealed record ShowtimeResponse(
    long Id, long MovieId, string MovieTitle, long TheatreId, string TheatreName,
    DateTime StartsAt, DateTime EndsAt, decimal Price, int Capacity, int AvailableSeats)
{
    public static ShowtimeResponse From(ShowtimeRow row) => new(
        row.Id, row.MovieId, row.MovieTitle, row.TheatreId, row.TheatreName,
        Time.FromUnixMs(row.StartsAt), Time.FromUnixMs(row.EndsAt), Money.FromCents(row.PriceCents),
        (int)row.Capacity, (int)row.AvailableSeats);
}

public sealed record SeatMapResponse(long ShowtimeId, IReadOnlyList<SeatStatusResponse> Seats);

/// <summary>One seat of a showtime: <c>available</c>, <c>held</c> (a pending booking's hold) or <c>booked</c> (sold).</summary>
public sealed record SeatStatusResponse(string Seat, string Row, int Number, string Status);

public static class SeatStatus
{
    public const string Available = "available";
    public const string Held = "held";
    public const string Booked = "booked";
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

/// <summary>What booking needs of a showtime: when it starts, its price and its theatre's layout.</summary>
public sealed class ShowtimeLayoutRow
{
    public long Id { get; set; }

    public long StartsAt { get; set; }

    public long PriceCents { get; set; }

    public long SeatRows { get; set; }

    public long SeatsPerRow { get; set; }
}

public sealed class SeatClaimRow
{
    public string Seat { get; set; } = "";

    public long? ExpiresAt { get; set; }
}
