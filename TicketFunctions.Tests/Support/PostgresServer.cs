using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketFunctions.Data;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// One real PostgreSQL server for the whole test run (Debian's postgresql package: initdb and pg_ctl in a temporary
/// folder, on a free port), started on first use and stopped when the test process exits. Every test gets its own
/// database, created from a template that the app's real migrations built once.
/// </summary>
public sealed class PostgresServer
{
    private const string User = "ticketfunctions";
    private const string Template = "tf_template";
    private static readonly Lazy<PostgresServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly SemaphoreSlim CreateLock = new(1, 1);

    private readonly string _bin;
    private readonly string _folder;
    private readonly int _port;

    private PostgresServer(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        _port = port;
    }

    public static PostgresServer Instance => Shared.Value;

    /// <summary>
    /// The connection string of the test database that belongs to <paramref name="directory"/> (a test's temporary
    /// folder), created from the migrated template the first time; the same folder always gets the same database,
    /// so an app restarted over the same folder finds its data, as a restarted SQLite app finds its file.
    /// </summary>
    public string DatabaseFor(string directory)
    {
        var name = "t_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directory)))[..24];
        CreateLock.Wait();
        try
        {
            using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            connection.Open();
            if (connection.ExecuteScalar<long>("SELECT count(*) FROM pg_database WHERE datname = @Name", new { Name = name }) == 0)
            {
                // Identifiers cannot be parameters; the name is "t_" and hex digits, made above.
                connection.Execute($"CREATE DATABASE {name} TEMPLATE {Template} STRATEGY FILE_COPY");
            }
        }
        finally
        {
            CreateLock.Release();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = User,
        Database = database,
        Pooling = true,
        MaxPoolSize = 20,
        Timeout = 30,
    }.ConnectionString;

    private static PostgresServer Start()
    {
        var bin = PostgresTools.FindBin();
        var parent = Path.Combine(Path.GetTempPath(), "ticketfunctions-postgres");
        RemoveStoppedServers(parent);
        var folder = Path.Combine(parent, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");

        // The server refuses to run as root, so as root (CI) it runs as the package's postgres user, which must own the folder.
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            PostgresTools.Run("chown", ["-R", "postgres:postgres", folder], asPostgres: false);
        }

        PostgresTools.Run(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", User, "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres);
        for (var attempt = 1; ; attempt++)
        {
            var port = PostgresTools.FreePort();
            try
            {
                // fsync and friends off: a test database need not survive a power cut, and the suite writes a lot.
                var options = string.Join(' ',
                    $"-p {port}", $"-k {folder}", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off",
                    "-c full_page_writes=off", "-c max_connections=300", "-c shared_buffers=64MB");
                PostgresTools.Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "start"], asPostgres);
                var server = new PostgresServer(bin, folder, port);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(asPostgres);
                server.MigrateTemplate();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the free port between the probe and the bind: try another one.
            }
        }
    }

    private void MigrateTemplate()
    {
        using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            connection.Open();
            connection.Execute($"CREATE DATABASE {Template}");
        }

        var options = Options.Create(new DatabaseOptions { Provider = DbProvider.Postgres, ConnectionString = ConnectionString(Template) });
        var db = new Db(options, new TestHostEnvironment(_folder));
        try
        {
            new Migrator(db, TimeProvider.System, NullLogger<Migrator>.Instance).MigrateAsync().GetAwaiter().GetResult();
        }
        finally
        {
            // CREATE DATABASE ... TEMPLATE needs the template free of connections.
            db.DisposeAsync().AsTask().GetAwaiter().GetResult();
            NpgsqlConnection.ClearAllPools();
        }
    }

    private void Stop(bool asPostgres)
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            PostgresTools.Run(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], asPostgres);
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // The process is exiting; what is left lies in the temp folder.
        }
    }

    /// <summary>
    /// Deletes the folders of earlier runs whose server is no longer running (no postmaster.pid): the exit handler
    /// stops the server, but the test host may end the process before a gigabyte of databases is deleted.
    /// </summary>
    private static void RemoveStoppedServers(string parent)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(parent))
        {
            if (File.Exists(Path.Combine(folder, "data", "postmaster.pid")))
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another run is deleting it too, or a file is still held: the next run tries again.
            }
        }
    }
}
