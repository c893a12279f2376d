using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TicketFunctions.Data;

public enum DbRefusalKind
{
    /// <summary>
    /// A primary key or unique index (SQLite 19/1555 and 19/2067; PostgreSQL 23505), or the hand-over trigger of
    /// seat_claims, which refuses a second claim on a seat the same way (SQLite 19/1811 "seat_claimed").
    /// </summary>
    Unique,

    /// <summary>A foreign key (SQLite 19/787; PostgreSQL 23503).</summary>
    ForeignKey,

    /// <summary>A CHECK constraint (SQLite 19/275; PostgreSQL 23514).</summary>
    Check,

    /// <summary>Showtimes that overlap: PostgreSQL's exclusion constraint (23P01), SQLite's trigger (19/1811).</summary>
    Overlap,
}

/// <summary>
/// A write the database refused because it would break an invariant of the schema, told apart the same way on both
/// providers: the one place where SqliteException codes and PostgresException SQLSTATEs become the app's terms.
/// <see cref="Table"/> is the table whose constraint refused (null where SQLite does not say, as for foreign keys).
/// </summary>
public sealed record DbRefusal(DbRefusalKind Kind, string? Table)
{
    private const int SqliteConstraint = 19;
    private const int SqliteCheck = 275;
    private const int SqliteForeignKey = 787;
    private const int SqlitePrimaryKey = 1555;
    private const int SqliteTrigger = 1811;
    private const int SqliteUnique = 2067;

    /// <summary>What the database refused, or null when the exception is not a constraint's refusal.</summary>
    public static DbRefusal? Of(DbException exception) => exception switch
    {
        PostgresException pg => pg.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => new(DbRefusalKind.Unique, pg.TableName),
            PostgresErrorCodes.ForeignKeyViolation => new(DbRefusalKind.ForeignKey, pg.TableName),
            PostgresErrorCodes.CheckViolation => new(DbRefusalKind.Check, pg.TableName),
            PostgresErrorCodes.ExclusionViolation => new(DbRefusalKind.Overlap, pg.TableName),
            _ => null,
        },
        SqliteException { SqliteErrorCode: SqliteConstraint } sqlite => sqlite.SqliteExtendedErrorCode switch
        {
            SqlitePrimaryKey or SqliteUnique => new(DbRefusalKind.Unique, SqliteTable(sqlite.Message)),
            SqliteForeignKey => new(DbRefusalKind.ForeignKey, null),
            SqliteCheck => new(DbRefusalKind.Check, null),
            SqliteTrigger when sqlite.Message.Contains("showtime_overlap", StringComparison.Ordinal) => new(DbRefusalKind.Overlap, "showtimes"),
            SqliteTrigger when sqlite.Message.Contains("seat_claimed", StringComparison.Ordinal) => new(DbRefusalKind.Unique, "seat_claims"),
            _ => null,
        },
        _ => null,
    };

    /// <summary>True when <paramref name="exception"/> is a refusal of this kind (on <paramref name="table"/>, when given).</summary>
    public static bool Is(DbException exception, DbRefusalKind kind, string? table = null)
        => Of(exception) is { } refusal && refusal.Kind == kind && (table is null || refusal.Table == table);

    // "SQLite Error 19: 'UNIQUE constraint failed: seat_claims.showtime_id, seat_claims.seat'." names the table first.
    private static string? SqliteTable(string message)
    {
        var start = message.IndexOf("failed: ", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += "failed: ".Length;
        var dot = message.IndexOf('.', start);
        return dot < 0 ? null : message[start..dot];
    }
}
