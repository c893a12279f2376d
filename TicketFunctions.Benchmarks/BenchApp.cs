using System.Text;
using Dapper;
using FunctionsLocalHost;
using FunctionsLocalHost.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using TicketFunctions.Auth;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// The whole app as Azure runs it: its Release build's worker process under the local host (in this process) on a
/// free port, queues on the bench's Azurite, the SQLite file given; logging cut to warnings so that log lines are not
/// measured. <see cref="Services"/> are the app's services in this process over the same database, for seeding.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    public const string SigningKey = "bench-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";

    private readonly LocalFunctionsHost _host;
    private readonly ServiceProvider _services;

    private BenchApp(LocalFunctionsHost host, ServiceProvider services)
    {
        _host = host;
        _services = services;
        BaseAddress = host.BaseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _services;

    /// <summary>The app's build output for this configuration (the bench runs in Release).</summary>
    public static string AppDirectory => Path.Combine(Repository.Root, "TicketFunctions", "bin", Repository.Configuration, "net10.0");

    /// <summary>The local host's build output for this configuration.</summary>
    public static string HostDll => Path.Combine(Repository.Root, "FunctionsLocalHost", "bin", Repository.Configuration, "net10.0", "FunctionsLocalHost.dll");

    public Db Db => Services.GetRequiredService<Db>();

    public static Dictionary<string, string?> Settings(string databasePath, AzuriteProcess azurite) => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Database:Path"] = databasePath,
        ["Jwt:SigningKey"] = SigningKey,
        ["Jwt:Issuer"] = "TicketFunctions",
        ["Jwt:Audience"] = "TicketFunctions",
        ["Jwt:Lifetime"] = "02:00:00",
        // The outbox timer's schedule, which the host resolves (as in local.settings.json.example).
        ["Payments:ResendSchedule"] = "0 * * * * *",
    };

    public static async Task<BenchApp> StartAsync(string databasePath, AzuriteProcess azurite)
    {
        var settings = Settings(databasePath, azurite);
        var host = await LocalFunctionsHost.StartAsync(new LocalHostOptions
        {
            AppDirectory = AppDirectory,
            Port = 0,
            Settings = settings,
            ReadLocalSettingsFile = false,
            // No log provider at all: the host's and the worker's log lines are not what is measured.
            Logging = _ => { },
        });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new BenchEnvironment(Path.GetDirectoryName(databasePath)!));
        services.AddLogging();
        services.AddTicketFunctions(configuration);
        return new BenchApp(host, services.BuildServiceProvider());
    }

    /// <summary>
    /// Users straight into the database in one transaction, with tokens from the app's own token service: 2,000
    /// registrations would spend minutes in the password hash.
    /// </summary>
    public async Task<List<(string Token, long Id)>> CreateUsersAsync(int count)
    {
        var tokens = Services.GetRequiredService<Tokens>();
        var users = new List<(string, long)>(count);
        // The benchmarks measure the SQLite store: its connections, commands and typed parameters.
        await using var connection = (SqliteConnection)await Db.OpenAsync();
        await using var transaction = connection.BeginTransaction(deferred: false);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var ids = new List<(long Id, string Email)>(count);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO users (email, normalized_email, full_name, password_hash, role, created_at) VALUES ($email, upper($email), 'Bench', 'x', 'User', 0) RETURNING id;";
            var email = insert.Parameters.Add("$email", SqliteType.Text);
            for (var i = 0; i < count; i++)
            {
                email.Value = $"bench{i}-{tag}@example.com";
                ids.Add(((long)(await insert.ExecuteScalarAsync())!, (string)email.Value));
            }
        }

        await transaction.CommitAsync();
        foreach (var (id, email) in ids)
        {
            users.Add((tokens.Issue(new UserView(id, email, "Bench", "User", 0)), id));
        }

        return users;
    }

    /// <summary>A movie, a theatre of its own (so no overlap) and one showtime starting in <paramref name="startsIn"/>.</summary>
    public async Task<long> CreateShowtimeAsync(int rows, int seatsPerRow, TimeSpan startsIn, long priceCents = 1250)
    {
        await using var connection = (SqliteConnection)await Db.OpenAsync();
        return await CreateShowtimeAsync(connection, rows, seatsPerRow, DateTimeOffset.UtcNow.Add(startsIn).ToUnixTimeMilliseconds(), priceCents);
    }

    public static async Task<long> CreateShowtimeAsync(SqliteConnection connection, int rows, int seatsPerRow, long startsAt, long priceCents = 1250)
    {
        var movie = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO movies (title, description, genre, duration_minutes, rating, release_date, created_at) VALUES ('Bench', '', 'Drama', 120, 'PG', '2026-01-01', 0) RETURNING id;");
        var theatre = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO theatres (name, city, address, seat_rows, seats_per_row, created_at) VALUES ('Bench', 'Bench', 'Bench', @rows, @seatsPerRow, 0) RETURNING id;",
            new { rows, seatsPerRow });
        return await connection.ExecuteScalarAsync<long>(
            "INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at) VALUES (@movie, @theatre, @startsAt, @endsAt, @priceCents, 0) RETURNING id;",
            new { movie, theatre, startsAt, endsAt = startsAt + (120 * 60_000), priceCents });
    }

    /// <summary>A seat label in row-major order: 0 is A1, 50 is B1 in a 50-seat row.</summary>
    public static string SeatLabel(int index, int seatsPerRow) => $"{(char)('A' + (index / seatsPerRow))}{(index % seatsPerRow) + 1}";

    public static HttpRequestMessage Json(HttpMethod method, string path, string body, string? token)
    {
        var message = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return message;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.DisposeAsync();
        }
        finally
        {
            await _services.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    private sealed class BenchEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";

        public string ApplicationName { get; set; } = "TicketFunctions";

        public string ContentRootPath { get; set; } = contentRoot;

        public IFileProvider ContentRootFileProvider { get; set; } = new PhysicalFileProvider(contentRoot);
    }
}
