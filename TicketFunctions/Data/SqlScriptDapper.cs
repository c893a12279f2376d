using System.Data;
using Dapper;

namespace TicketFunctions.Data;

/// <summary>Dapper's calls for a <see cref="SqlScript"/>: the text run is the dialect of the connection it runs on.</summary>
public static class SqlScriptDapper
{
    public static Task<int> ExecuteAsync(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
        => connection.ExecuteAsync(sql.For(connection), param, transaction);

    public static Task<T?> ExecuteScalarAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
        => connection.ExecuteScalarAsync<T>(sql.For(connection), param, transaction);

    public static Task<IEnumerable<T>> QueryAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
        => connection.QueryAsync<T>(sql.For(connection), param, transaction);

    public static Task<T> QuerySingleAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
        => connection.QuerySingleAsync<T>(sql.For(connection), param, transaction);

    public static Task<T?> QuerySingleOrDefaultAsync<T>(this IDbConnection connection, SqlScript sql, object? param = null, IDbTransaction? transaction = null)
        => connection.QuerySingleOrDefaultAsync<T>(sql.For(connection), param, transaction);
}
