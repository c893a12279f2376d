using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TicketFunctions.Data;

public sealed class DatabaseOptions
{
    /// <summary>The SQLite file; relative paths are taken from the app's content root.</summary>
    public string? Path { get; set; }

    /// <summary>How long a writer waits for another writer's lock before giving up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Opens SQLite connections with the app's settings: WAL, a busy timeout, foreign keys on.</summary>
public sealed class Db
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    public Db(IOptions<DatabaseOptions> options, IHostEnvironment environment)
    {
        var configured = options.Value.Path;
        FilePath = string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "TicketFunctions", "ticketfunctions.db")
            : System.IO.Path.GetFullPath(configured, environment.ContentRootPath);
        _busyTimeoutMs = (int)options.Value.BusyTimeout.TotalMilliseconds;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)options.Value.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    public string FilePath { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await connection.ExecuteAsync($"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = NORMAL;");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a write transaction with BEGIN IMMEDIATE, so the write lock is taken up front and two writers never
    /// deadlock upgrading read locks; Microsoft.Data.Sqlite's non-deferred transactions are exactly that.
    /// </summary>
    public static SqliteTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);
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
