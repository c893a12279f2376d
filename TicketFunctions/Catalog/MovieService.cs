using System.Data.Common;
using System.Globalization;
using Dapper;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Catalog;

/// <summary>Movies: the logic behind <see cref="MovieFunctions"/>.</summary>
public sealed class MovieService(Db db, TimeProvider clock)
{

    private static readonly SqlScript ListMovies = Sql.Load("catalog/list_movies");
    private static readonly SqlScript CountMovies = Sql.Load("catalog/count_movies");
    private static readonly SqlScript GetMovie = Sql.Load("catalog/get_movie");
    private static readonly SqlScript InsertMovie = Sql.Load("catalog/insert_movie");
    private static readonly SqlScript UpdateMovie = Sql.Load("catalog/update_movie");
    private static readonly SqlScript DeleteMovie = Sql.Load("catalog/delete_movie");
    private static readonly SqlScript MovieExists = Sql.Load("catalog/movie_exists");

    public async Task<PagedList<MovieResponse>> ListAsync(MovieQuery query, CancellationToken cancellationToken)
    {
        var args = new { Search = query.Search is null ? null : EscapeLike(query.Search), query.Genre, query.PageSize, query.Offset };
        await using var connection = await db.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<MovieRow>(ListMovies, args);
        var total = await connection.ExecuteScalarAsync<long>(CountMovies, args);
        return PagedList<MovieResponse>.Of([.. rows.Select(MovieResponse.From)], query, total);
    }

    public async Task<MovieResponse?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MovieRow>(GetMovie, new { Id = id });
        return row is null ? null : MovieResponse.From(row);
    }

    public async Task<Result<MovieResponse>> CreateAsync(MovieRequest request, CancellationToken cancellationToken)
    {
        var movie = Check(request);
        if (!movie.IsSuccess)
        {
            return movie.Error!;
        }

        var row = await db.WriteAsync((connection, transaction) => connection.QuerySingleAsync<MovieRow>(InsertMovie, movie.Value with { Now = clock.UnixMsNow() }, transaction), cancellationToken);
        return MovieResponse.From(row);
    }

    public async Task<Result<MovieResponse>> UpdateAsync(long id, MovieRequest request, CancellationToken cancellationToken)
    {
        var movie = Check(request);
        if (!movie.IsSuccess)
        {
            return movie.Error!;
        }

        var row = await db.WriteAsync((connection, transaction) => connection.QuerySingleOrDefaultAsync<MovieRow>(UpdateMovie, movie.Value with { Id = id }, transaction), cancellationToken);
        return row is null ? new Error.NotFound("No movie with this id.") : MovieResponse.From(row);
    }

    public async Task<Error?> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var write = await db.WriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);
        int deleted;
        try
        {
            deleted = await connection.ExecuteAsync(DeleteMovie, new { Id = id }, transaction);
        }
        catch (DbException e) when (DbRefusal.Is(e, DbRefusalKind.ForeignKey))
        {
            // A foreign key from elsewhere (not a showtime, which the statement checks) still refers to the movie.
            return HasShowtimes();
        }

        if (deleted == 0)
        {
            var exists = await connection.ExecuteScalarAsync<bool>(MovieExists, new { Id = id }, transaction);
            return exists ? HasShowtimes() : new Error.NotFound("No movie with this id.");
        }

        await write.CommitAsync(cancellationToken);
        return null;

        static Error HasShowtimes() => new Error.Conflict("movie_has_showtimes", "The movie has showtimes; it cannot be deleted.");
    }

    /// <summary>Escapes LIKE's wildcards so that a search for "100%" finds that text, not everything.</summary>
    public static string EscapeLike(string text)
        => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static Result<MovieArgs> Check(MovieRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var title = Fields.Text(errors, request, nameof(request.Title));
        var description = Fields.Text(errors, request, nameof(request.Description), multiline: true);
        var genre = Fields.Text(errors, request, nameof(request.Genre));
        Fields.Range(errors, request, nameof(request.DurationMinutes));
        var rating = Fields.Text(errors, request, nameof(request.Rating));
        if (request.ReleaseDate.Year is < 1850 or > 2200)
        {
            errors.Add("releaseDate", "Must be a date from 1850 to 2200 (YYYY-MM-DD).");
        }

        return errors.Count > 0
            ? new Error.Invalid(errors)
            : new MovieArgs(0, title, description, genre, request.DurationMinutes, rating,
                request.ReleaseDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), 0);
    }

    private sealed record MovieArgs(
        long Id, string Title, string Description, string Genre, int DurationMinutes, string Rating, string ReleaseDate, long Now);
}
