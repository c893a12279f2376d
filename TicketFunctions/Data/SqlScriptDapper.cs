using System.Data;
using Dapper;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Data;

/// <summary>
/// Dapper's calls for a <see cref="SqlScript"/>: the text run is the dialect of the connection it runs on. On the
/// SQLite writer's connection (see <see cref="Db.WriteAsync"/>) the statement is prepared once and reused. Each
/// statement on SQLite is a span of its own (<see cref="SqliteCommandActivity"/>); Npgsql traces its own commands.
/// </summary>
public static class SqlScriptDapper
{
    public static async Task<int> ExecuteAsync(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
    {
        using var activity = SqliteCommandActivity.Start(connection, sql);
        return SqliteWriter.Prepared(connection, sql.Sqlite, param, transaction) is { } prepared
            ? await prepared.Command.ExecuteNonQueryAsync()
            : await connection.ExecuteAsync(sql.For(connection), param, transaction);
    }

    public static async Task<T?> ExecuteScalarAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
    {
        using var activity = SqliteCommandActivity.Start(connection, sql);
        return SqliteWriter.Prepared(connection, sql.Sqlite, param, transaction) is { } prepared
            ? await prepared.QueryFirstOrDefaultAsync<T>()
            : await connection.ExecuteScalarAsync<T>(sql.For(connection), param, transaction);
    }

    public static async Task<IEnumerable<T>> QueryAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
    {
        using var activity = SqliteCommandActivity.Start(connection, sql);
        return SqliteWriter.Prepared(connection, sql.Sqlite, param, transaction) is { } prepared
            ? await prepared.QueryAsync<T>()
            : await connection.QueryAsync<T>(sql.For(connection), param, transaction);
    }

    public static async Task<T> QuerySingleAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
    {
        using var activity = SqliteCommandActivity.Start(connection, sql);
        return SqliteWriter.Prepared(connection, sql.Sqlite, param, transaction) is { } prepared
                ? (await prepared.QueryAsync<T>()).Single()
            : await connection.QuerySingleAsync<T>(sql.For(connection), param, transaction);
    }

    public static async Task<T?> QuerySingleOrDefaultAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
    {
        using var activity = SqliteCommandActivity.Start(connection, sql);
        return SqliteWriter.Prepared(connection, sql.Sqlite, param, transaction) is { } prepared
                ? (await prepared.QueryAsync<T>()).SingleOrDefault()
            : await connection.QuerySingleOrDefaultAsync<T>(sql.For(connection), param, transaction);
    }
}
