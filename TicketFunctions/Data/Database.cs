using System.ComponentModel.DataAnnotations;
using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TicketFunctions.Data;

/// <summary>Which store the app runs on: SQLite (one file, one instance) or PostgreSQL (many instances).</summary>
public enum DbProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions : IValidatableObject
{
    /// <summary><c>Database__Provider</c>: sqlite (the default) or postgres.</summary>
    public DbProvider Provider { get; set; } = DbProvider.Sqlite;

    /// <summary>The SQLite file; relative paths are taken from the app's content root.</summary>
    public string? Path { get; set; }

    /// <summary>The PostgreSQL connection string (Npgsql), required when the provider is postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a writer waits for another writer's lock before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == DbProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Database__Provider is postgres but Database__ConnectionString is not set (an Npgsql connection string such as Host=...;Database=...;Username=...).",
                [nameof(ConnectionString)]);
        }
    }
}

/// <summary>
/// Opens connections to the configured store and starts the app's writes. SQLite: WAL, a busy timeout, foreign keys
/// on, and one writer per process (<see cref="SqliteWriter"/>). PostgreSQL: a pooled Npgsql data source whose lock
/// waits are bounded by the same busy timeout, and whose statements are prepared automatically once they repeat.
/// </summary>
public sealed class Db : IAsyncDisposable
{
    private readonly string _sqliteConnectionString = "";
    private readonly int _busyTimeoutMs;
    private readonly NpgsqlDataSource? _postgres;
    private readonly SqliteWriter? _writer;

    // The pooled SQLite connections already set up: pooling keeps a connection's native handle, and its settings with it.
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];

    public Db(IOptions<DatabaseOptions> options, IHostEnvironment environment)
    {
        var settings = options.Value;
        Provider = settings.Provider;
        _busyTimeoutMs = (int)settings.BusyTimeout.TotalMilliseconds;
        if (Provider == DbProvider.Postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString);

            // A writer queued on a row lock gives up as a SQLite writer does on the busy timeout.
            builder.Options = $"{builder.Options} -c lock_timeout={_busyTimeoutMs}".Trim();

            // Each physical connection keeps the statements it runs often prepared on the server (unless configured).
            if (builder.MaxAutoPrepare == 0)
            {
                builder.MaxAutoPrepare = 100;
                builder.AutoPrepareMinUsages = 2;
            }

            _postgres = NpgsqlDataSource.Create(builder.ConnectionString);
            return;
        }

        var configured = settings.Path;
        FilePath = string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "TicketFunctions", "ticketfunctions.db")
            : System.IO.Path.GetFullPath(configured, environment.ContentRootPath);
        _sqliteConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)settings.BusyTimeout.TotalSeconds),
        }.ToString();
        _writer = new SqliteWriter(OpenSqliteAsync);
    }

    public DbProvider Provider { get; }


    /// <summary>The SQLite file; empty for PostgreSQL.</summary>
    public string FilePath { get; } = "";

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        return await OpenSqliteAsync(cancellationToken);
    }

    /// <summary>
    /// Starts one of the app's writes. SQLite: waits (asynchronously) for the process's one writer, then BEGIN
    /// IMMEDIATE on the writer's own connection, whose statements stay prepared. PostgreSQL: a pooled connection in
    /// READ COMMITTED, where writers run side by side and each one takes the row locks its invariants need (a hold
    /// locks its showtime row first; state changes are conditional updates, which re-check their WHERE on the newest
    /// row version after waiting for a concurrent writer), and the constraints refuse the rest. Row locks rather than
    /// SERIALIZABLE: a conflict waits its turn instead of failing and being retried, so a rush on one showtime queues
    /// on that showtime alone without retry loops.
    /// </summary>
    public async Task<WriteTransaction> WriteAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is not null)
        {
            return await _writer.BeginAsync(cancellationToken);
        }

        var connection = await OpenAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            return new WriteTransaction(connection, transaction, ownsConnection: true, release: null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A write of its own, often one statement, through <see cref="WriteAsync(CancellationToken)"/>: committed when
    /// <paramref name="write"/> returns, rolled back if it throws. Every app write goes through the writer, so on SQLite
    /// none of them waits in SQLite's busy handler for another.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        await using var transaction = await WriteAsync(cancellationToken);
        var result = await write(transaction.Connection, transaction.Transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<SqliteConnection> OpenSqliteAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_sqliteConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var handle = connection.Handle!;
            if (!_configured.TryGetValue(handle, out _))
            {
                await connection.ExecuteAsync($"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = NORMAL;");
                _configured.AddOrUpdate(handle, handle);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A write transaction on a connection of one's own, outside the app's writer: the migrations (which run before
    /// the app serves) and tools. SQLite: BEGIN IMMEDIATE, so the write lock is taken up front; PostgreSQL: READ COMMITTED.
    /// </summary>
    public static async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default)
        => connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);

    /// <summary>The provider a connection talks to, so that a script picks its dialect from the connection it runs on.</summary>
    public static DbProvider ProviderOf(IDbConnection connection)
        => connection is NpgsqlConnection ? DbProvider.Postgres : DbProvider.Sqlite;

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

public static class DataServices
{
    public static IServiceCollection AddData(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection("Database")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Db>();
        services.AddSingleton<Migrator>();
        return services;
    }

    /// <summary>Brings the schema up to date, then runs every <see cref="IStartupTask"/> (such as creating the first admin).</summary>
    public static async Task InitializeDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        foreach (var task in services.GetServices<IStartupTask>())
        {
            await task.RunAsync(cancellationToken);
        }
    }
}

/// <summary>Work that runs once at start-up, after the migrations.</summary>
public interface IStartupTask
{
    Task RunAsync(CancellationToken cancellationToken);
}
