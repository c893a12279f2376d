using Dapper;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Catalog;

/// <summary>Theatres: the logic behind <see cref="TheatreFunctions"/>.</summary>
public sealed class TheatreService(Db db, TimeProvider clock)
{
    private static readonly SqlScript ListTheatres = Sql.Load("catalog/list_theatres");
    private static readonly SqlScript CountTheatres = Sql.Load("catalog/count_theatres");
    private static readonly SqlScript GetTheatre = Sql.Load("catalog/get_theatre");
    private static readonly SqlScript InsertTheatre = Sql.Load("catalog/insert_theatre");
    private static readonly SqlScript UpdateTheatre = Sql.Load("catalog/update_theatre");
    private static readonly SqlScript LockTheatre = Sql.Load("catalog/lock_theatre");

    public async Task<PagedList<TheatreResponse>> ListAsync(TheatreQuery query, CancellationToken cancellationToken)
    {
        var args = new { query.City, query.PageSize, query.Offset };
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TheatreRow>(ListTheatres, args);
        var total = await connection.ExecuteScalarAsync<long>(CountTheatres, args);
        return PagedList<TheatreResponse>.Of([.. rows.Select(TheatreResponse.From)], query, total);
    }

    public async Task<TheatreResponse?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<TheatreRow>(GetTheatre, new { Id = id });
        return row is null ? null : TheatreResponse.From(row);
    }

    public async Task<Result<TheatreResponse>> CreateAsync(TheatreRequest request, CancellationToken cancellationToken)
    {
        var theatre = Check(request);
        if (!theatre.IsSuccess)
        {
            return theatre.Error!;
        }

        var row = await db.WriteAsync((connection, transaction) => connection.QuerySingleAsync<TheatreRow>(InsertTheatre, theatre.Value with { Now = clock.UnixMsNow() }, transaction), cancellationToken);
        return TheatreResponse.From(row);
    }

    /// <summary>Updates a theatre; its layout may change only while it has no showtimes (409 <c>theatre_has_showtimes</c>).</summary>
    public async Task<Result<TheatreResponse>> UpdateAsync(long id, TheatreRequest request, CancellationToken cancellationToken)
    {
        var theatre = Check(request);
        if (!theatre.IsSuccess)
        {
            return theatre.Error!;
        }

        await using var write = await db.WriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        var exists = await connection.ExecuteScalarAsync<long?>(LockTheatre, new { Id = id }, transaction) is not null;
        var row = exists ? await connection.QuerySingleOrDefaultAsync<TheatreRow>(UpdateTheatre, theatre.Value with { Id = id }, transaction) : null;
        if (row is null)
        {
            return exists
                ? new Error.Conflict("theatre_has_showtimes", "The theatre has showtimes, so its seatRows and seatsPerRow cannot change.")
                : new Error.NotFound("No theatre with this id.");
        }

        await write.CommitAsync(cancellationToken);
        return TheatreResponse.From(row);
    }

    private static Result<TheatreArgs> Check(TheatreRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = Fields.Text(errors, request, nameof(request.Name));
        var city = Fields.Text(errors, request, nameof(request.City));
        var address = Fields.Text(errors, request, nameof(request.Address));
        Fields.Range(errors, request, nameof(request.SeatRows));
        Fields.Range(errors, request, nameof(request.SeatsPerRow));
        return errors.Count > 0
            ? new Error.Invalid(errors)
            : new TheatreArgs(0, name, city, address, request.SeatRows, request.SeatsPerRow, 0);
    }

    private sealed record TheatreArgs(long Id, string Name, string City, string Address, int SeatRows, int SeatsPerRow, long Now);
}
