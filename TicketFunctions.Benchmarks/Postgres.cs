using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// A real PostgreSQL server for the bench, started as the tests start theirs (TicketFunctions.Tests/Support/
/// PostgresServer.cs: Debian's initdb and pg_ctl in a temporary folder on a free port, as the postgres user when run as
/// root). Every benchmark gets fresh databases, copied from a template that the app's real migrations built once.
/// Unlike the tests' server it keeps fsync on; <c>synchronous_commit=off</c> is the counterpart of the app's SQLite
/// setting (WAL with synchronous=NORMAL): a commit does not wait for its log flush.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private const string User = "ticketfunctions";
    private const string Template = "bench_template";

    private readonly string _bin;
    private readonly string _folder;
    private readonly bool _asPostgres;
    private readonly int _port;
    private int _databases;

    private BenchPostgres(string bin, string folder, bool asPostgres, int port)
    {
        _bin = bin;
        _folder = folder;
        _asPostgres = asPostgres;
        _port = port;
    }

    public static string Settings => "max_connections=500, shared_buffers=128MB, synchronous_commit=off (fsync on)";

    public string Version { get; private set; } = "";

    public static async Task<BenchPostgres> StartAsync()
    {
        var bin = PostgresTools.FindBin();
        var folder = Path.Combine(Path.GetTempPath(), "ticketfunctions-bench-postgres", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            PostgresTools.Run("chown", ["-R", "postgres:postgres", Path.GetDirectoryName(folder)!], asPostgres: false);
        }

        PostgresTools.Run(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres);
        var port = PostgresTools.FreePort();
        var options = string.Join(' ', $"-p {port}", $"-k {folder}", "-c listen_addresses=127.0.0.1", "-c max_connections=500",
            "-c shared_buffers=128MB", "-c synchronous_commit=off");
        PostgresTools.Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start"], asPostgres);
        var server = new BenchPostgres(bin, folder, asPostgres, port);
        try
        {
            await server.MigrateTemplateAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = User,
        Database = database,
        Timeout = 60,
    }.ConnectionString;

    /// <summary>A new database: migrated (a copy of the template) or empty (the app's start-up migrates it).</summary>
    public async Task<string> CreateDatabaseAsync(bool migrated = true)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"bench_{Interlocked.Increment(ref _databases)}");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();

        // Identifiers cannot be parameters; the name is "bench_" and a number, made above.
        await connection.ExecuteAsync(migrated ? $"CREATE DATABASE {name} TEMPLATE {Template}" : $"CREATE DATABASE {name}");
        return ConnectionString(name);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            PostgresTools.Run(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], _asPostgres);
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"[bench] could not stop or delete the PostgreSQL server in {_folder}: {e.Message}");
        }

        return ValueTask.CompletedTask;
    }

    private async Task MigrateTemplateAsync()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE DATABASE {Template}");
            Version = await connection.ExecuteScalarAsync<string>("SHOW server_version;") ?? "";
        }

        var options = Options.Create(new DatabaseOptions { Provider = DbProvider.Postgres, ConnectionString = ConnectionString(Template) });
        await using (var db = new Db(options, new BenchEnvironment(_folder)))
        {
            await new Migrator(db, TimeProvider.System, NullLogger<Migrator>.Instance).MigrateAsync();
        }

        // CREATE DATABASE ... TEMPLATE needs the template free of connections.
        NpgsqlConnection.ClearAllPools();
    }
}
