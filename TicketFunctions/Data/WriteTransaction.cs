using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace TicketFunctions.Data;

/// <summary>
/// One write transaction of the app, from <see cref="Db.WriteAsync"/>: run its statements on <see cref="Connection"/>
/// with <see cref="Transaction"/>, then <see cref="CommitAsync"/>; disposing without a commit rolls back. On SQLite
/// the process's one writer is held from the start until the commit or the rollback, whichever comes first.
/// </summary>
public sealed class WriteTransaction : IAsyncDisposable
{
    private readonly Action? _release;
    private bool _released;

    internal WriteTransaction(DbConnection connection, DbTransaction transaction, bool ownsConnection, Action? release)
    {
        Connection = connection;
        Transaction = transaction;
        OwnsConnection = ownsConnection;
        _release = release;
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    private bool OwnsConnection { get; }

    /// <summary>Commits, and lets the next writer in at once (work after the commit does not hold it up).</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            // A transaction that was committed ignores this; one that was not rolls back here.
            await Transaction.DisposeAsync();
            if (OwnsConnection)
            {
                await Connection.DisposeAsync();
            }
        }
        finally
        {
            _release?.Invoke();
        }
    }
}

/// <summary>
/// The process's one SQLite writer. SQLite lets one writer at a time hold the file's write lock; writers that find it
/// taken sleep in SQLite's busy handler, a thread each. Here the app's writers queue on an async gate instead (no
/// thread waits), and the one that gets in writes on one long-lived connection whose statements are prepared once and
/// reused: the gate makes the connection and its commands single-user, so they need no locking of their own. Other
/// processes on the same file (a migration, a second app by mistake) still meet SQLite's own lock and busy timeout.
/// </summary>
internal sealed class SqliteWriter(Func<CancellationToken, Task<SqliteConnection>> open) : IAsyncDisposable
{
    private static readonly ConditionalWeakTable<SqliteConnection, SqliteWriter> Writers = [];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, PreparedCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;

    public async Task<WriteTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is null)
            {
                _connection = await open(cancellationToken);
                Writers.Add(_connection, this);
            }

            // BEGIN IMMEDIATE: the write lock is taken up front, so a writer never fails upgrading a read lock.
            var transaction = _connection.BeginTransaction(deferred: false);
            return new WriteTransaction(_connection, transaction, ownsConnection: false, () => _gate.Release());
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    /// <summary>The prepared command for <paramref name="sql"/> when <paramref name="connection"/> is a writer's; otherwise null.</summary>
    public static PreparedCommand? Prepared(IDbConnection connection, string sql, object? param, IDbTransaction? transaction)
    {
        if (connection is not SqliteConnection sqlite || !Writers.TryGetValue(sqlite, out var writer))
        {
            return null;
        }

        if (!writer._commands.TryGetValue(sql, out var command))
        {
            command = new PreparedCommand(new SqliteCommand(sql, sqlite));
            writer._commands.Add(sql, command);
        }

        command.Bind(param, (SqliteTransaction?)transaction);
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }
}

/// <summary>
/// A statement prepared on the writer's connection and run again with new values: Dapper's rules for parameters (the
/// public properties of an argument object that the text names as @Name) and its row mapping (for the results).
/// </summary>
internal sealed partial class PreparedCommand(SqliteCommand command) : IDisposable
{
    private static readonly ConditionalWeakTable<Type, PropertyInfo[]> PropertiesOf = [];

    private Type? _boundType;
    private PropertyInfo[] _bound = [];

    public SqliteCommand Command => command;

    public void Bind(object? param, SqliteTransaction? transaction)
    {
        command.Transaction = transaction;
        var type = param?.GetType();
        if (type != _boundType)
        {
            // A new argument shape: parameters from the last one must not linger and stand in for a missing value.
            command.Parameters.Clear();
            var named = Names(command.CommandText);
            _bound = type is null ? [] : [.. PropertiesOf.GetValue(type, t => t.GetProperties()).Where(p => named.ContainsKey(p.Name))];
            foreach (var property in _bound)
            {
                command.Parameters.Add(new SqliteParameter("@" + named[property.Name], null));
            }

            _boundType = type;
            command.Prepare();
        }

        for (var i = 0; i < _bound.Length; i++)
        {
            command.Parameters[i].Value = _bound[i].GetValue(param) ?? DBNull.Value;
        }
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>()
    {
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        if (await reader.ReadAsync())
        {
            // Dapper's parser for the row's shape; a single value (a string, a nullable long) comes back boxed.
            var parse = reader.GetRowParser(typeof(T));
            do
            {
                rows.Add(Convert<T>(parse(reader)));
            }
            while (await reader.ReadAsync());
        }

        return rows;
    }

    private static T Convert<T>(object? value) => value switch
    {
        T typed => typed,
        null or DBNull => default!,
        _ => (T)System.Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture),
    };

    /// <summary>The first column of the first row, or the default when there is no row (Dapper's ExecuteScalar).</summary>
    public async Task<T?> QueryFirstOrDefaultAsync<T>()
    {
        var rows = await QueryAsync<T>();
        return rows.Count > 0 ? rows[0] : default;
    }

    public void Dispose() => command.Dispose();

    /// <summary>The @names in the text, by name in any case (as Dapper matches them), each as the text spells it.</summary>
    private static Dictionary<string, string> Names(string sql)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in ParameterName().Matches(sql))
        {
            names.TryAdd(match.Groups[1].Value, match.Groups[1].Value);
        }

        return names;
    }

    [GeneratedRegex(@"@(\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();
}
