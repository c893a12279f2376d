using System.Data.Common;
using System.Globalization;
using Dapper;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Catalog;

/// <summary>Showtimes and their seat maps: the logic behind <see cref="ShowtimeFunctions"/>.</summary>
public sealed class ShowtimeService(Db db, TimeProvider clock)
{
    /// <summary>The latest start accepted, so that every instant the API writes stays a valid date.</summary>
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(5 * 366);

    /// <summary>The prices accepted (above 0, at most 100,000): the rule on <see cref="ShowtimeRequest.Price"/>, which the OpenAPI schema reads too.</summary>
    private static readonly System.ComponentModel.DataAnnotations.RangeAttribute PriceRange
        = Fields.Rule<System.ComponentModel.DataAnnotations.RangeAttribute>(typeof(ShowtimeRequest), nameof(ShowtimeRequest.Price));

    private static readonly SqlScript ListShowtimes = Sql.Load("catalog/list_showtimes");
    private static readonly SqlScript CountShowtimes = Sql.Load("catalog/count_showtimes");
    private static readonly SqlScript GetShowtime = Sql.Load("catalog/get_showtime");
    private static readonly SqlScript SeatMap = Sql.Load("catalog/seat_map");
    private static readonly SqlScript GetMovieDuration = Sql.Load("catalog/get_movie_duration");
    private static readonly SqlScript LockTheatre = Sql.Load("catalog/lock_theatre");
    private static readonly SqlScript FindOverlappingShowtime = Sql.Load("catalog/find_overlapping_showtime");
    private static readonly SqlScript InsertShowtime = Sql.Load("catalog/insert_showtime");

    public async Task<PagedList<ShowtimeResponse>> ListAsync(ShowtimeQuery query, CancellationToken cancellationToken)
    {
        var dayStart = query.Date?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).ToUnixMs();
        var args = new
        {
            query.MovieId,
            query.TheatreId,
            DayStart = dayStart,
            DayEnd = dayStart + (long)TimeSpan.FromDays(1).TotalMilliseconds,
            query.IncludePast,
            Now = clock.UnixMsNow(),
            query.PageSize,
            query.Offset,
        };
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ShowtimeRow>(ListShowtimes, args);
        var total = await connection.ExecuteScalarAsync<long>(CountShowtimes, args);
        return PagedList<ShowtimeResponse>.Of([.. rows.Select(ShowtimeResponse.From)], query, total);
    }

    public async Task<ShowtimeResponse?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ShowtimeRow>(GetShowtime, new { Id = id, Now = clock.UnixMsNow() });
        return row is null ? null : ShowtimeResponse.From(row);
    }

    /// <summary>
    /// The seat map as JSON (<see cref="SeatMapResponse"/>): every seat of the showtime's theatre in row-major order;
    /// an ended hold reads as available at once. Null when there is no such showtime.
    /// </summary>
    public async Task<byte[]?> GetSeatMapJsonAsync(long id, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        await using var connection = await db.OpenAsync(cancellationToken);
        var map = await connection.QuerySingleOrDefaultAsync<SeatMapRow>(SeatMap, new { Id = id, Now = now });
        if (map is null)
        {
            return null;
        }

        var rows = (int)map.SeatRows;
        var seatsPerRow = (int)map.SeatsPerRow;
        var statuses = new byte[rows * seatsPerRow];
        var claims = map.Claims;
        foreach (var range in claims.AsSpan().Split(','))
        {
            // "A12:b": a seat label, then b (booked) or h (held).
            var claim = claims.AsSpan(range);
            if (claim.Length >= 4 && int.TryParse(claim[1..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && new Seat(claim[0] - 'A', number) is var seat && seat.Row >= 0 && number >= 1 && seat.IsIn(rows, seatsPerRow))
            {
                statuses[(seat.Row * seatsPerRow) + number - 1] = claim[^1] == 'b' ? SeatMapJson.Booked : SeatMapJson.Held;
            }
        }

        return SeatMapJson.Write(id, rows, seatsPerRow, statuses);
    }

    /// <summary>
    /// Schedules a showtime. Unknown movie or theatre ids are field errors (400), like any other invalid field of the
    /// body; an overlap with another showtime in the theatre is 409 <c>showtime_overlap</c> naming that showtime.
    /// </summary>
    public async Task<Result<ShowtimeResponse>> CreateAsync(ShowtimeRequest request, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        var errors = Check(request, clock.GetUtcNow().UtcDateTime, out var priceCents);
        if (errors.Count > 0)
        {
            return new Error.Invalid(errors);
        }

        await using var write = await db.WriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var theatre = await connection.ExecuteScalarAsync<long?>(LockTheatre, new { Id = request.TheatreId }, transaction);
        var duration = await connection.ExecuteScalarAsync<long?>(GetMovieDuration, new { Id = request.MovieId }, transaction);

        // An unknown id answers 404 wherever it is sent (API.md), in the body as in the path.
        if (duration is null || theatre is null)
        {
            return new Error.NotFound(duration is null ? "No movie with this id." : "No theatre with this id.");
        }

        var startsAt = request.StartsAt.ToUnixMs();
        var args = new
        {
            request.MovieId,
            request.TheatreId,
            StartsAt = startsAt,
            EndsAt = startsAt + (duration.GetValueOrDefault() * 60_000),
            PriceCents = priceCents,
            Now = now,
        };
        var overlapping = await connection.ExecuteScalarAsync<long?>(FindOverlappingShowtime, args, transaction);
        if (overlapping is not null)
        {
            return Overlap(overlapping);
        }

        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(InsertShowtime, args, transaction);
        }
        catch (DbException e) when (DbRefusal.Is(e, DbRefusalKind.Overlap))
        {
            // The schema (SQLite's trigger, PostgreSQL's exclusion constraint) is the backstop; the check above
            // normally answers first, naming the showtime.
            return Overlap(null);
        }
        catch (DbException e) when (DbRefusal.Is(e, DbRefusalKind.ForeignKey))
        {
            // The movie was deleted after the check above (possible on PostgreSQL, where writers run side by side).
            return new Error.NotFound("No movie with this id.");
        }

        var row = await connection.QuerySingleAsync<ShowtimeRow>(GetShowtime, new { Id = id, Now = now }, transaction);
        await write.CommitAsync(cancellationToken);
        return ShowtimeResponse.From(row);
    }

    private static Error.Conflict Overlap(long? conflictingId) => new(
        "showtime_overlap",
        conflictingId is null
            ? "The showtime overlaps another showtime in this theatre."
            : $"The showtime overlaps showtime {conflictingId} in this theatre.",
        new Dictionary<string, object?> { ["conflictingShowtimeId"] = conflictingId });

    private static Dictionary<string, string[]> Check(ShowtimeRequest request, DateTime now, out long priceCents)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.MovieId <= 0)
        {
            errors.Add("movieId", "Must be a positive movie id.");
        }

        if (request.TheatreId <= 0)
        {
            errors.Add("theatreId", "Must be a positive theatre id.");
        }

        if (request.StartsAt <= now)
        {
            errors.Add("startsAt", "Must be in the future.");
        }
        else if (request.StartsAt > now + MaxScheduleAhead)
        {
            errors.Add("startsAt", "Must be at most 5 years ahead.");
        }

        priceCents = 0;
        if (!PriceRange.IsValid(request.Price))
        {
            errors.Add("price", $"Must be more than {PriceRange.Minimum} and at most {PriceRange.Maximum}.");
        }
        else if (!Money.TryToCents(request.Price, out priceCents))
        {
            errors.Add("price", "Must have at most 2 decimal places.");
        }

        return errors;
    }
}

/// <summary>The filters of GET /api/showtimes; <see cref="Date"/> is the UTC day of startsAt.</summary>

/// <summary>A showtime's hall and its live claims packed as "A1:b,A2:h" (see sql/catalog/seat_map.sql).</summary>
internal sealed class SeatMapRow
{
    public long SeatRows { get; set; }

    public long SeatsPerRow { get; set; }

    public string? Claims { get; set; }
}
