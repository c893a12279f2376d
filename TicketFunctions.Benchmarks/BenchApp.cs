using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using TicketFunctions.Auth;
using TicketFunctions.Benchmarks.ReferenceApp;
using TicketFunctions.Bookings;
using TicketFunctions.Data;

namespace TicketFunctions.Benchmarks;

/// <summary>
/// One fresh, migrated database of either store for one measurement, the settings that point a process at it
/// (<see cref="Environment"/>, the app's own setting names), and the app's services in this process over it
/// (<see cref="Db"/>, <see cref="Tokens"/>) for seeding. Every target of a figure gets a database of its own, seeded alike.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    public const string SigningKey = "bench-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";

    private readonly ServiceProvider _services;

    private BenchDatabase(DbProvider provider, Dictionary<string, string> environment, ServiceProvider services)
    {
        Provider = provider;
        Environment = environment;
        _services = services;
    }

    public DbProvider Provider { get; }

    /// <summary>The settings of a process over this database: the app's names, as environment variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public Db Db => _services.GetRequiredService<Db>();

    public Tokens Tokens => _services.GetRequiredService<Tokens>();

    /// <summary>The app's own booking logic over this database, in this process (the database-only figure).</summary>
    public BookingService Bookings => _services.GetRequiredService<BookingService>();

    /// <summary>A fresh database. <paramref name="migrated"/> false: an empty one, which the app's start migrates.</summary>
    public static async Task<BenchDatabase> CreateAsync(BenchContext context, DbProvider provider, string name, bool migrated = true)
    {
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = context.Azurite.ConnectionString,
            ["Jwt__SigningKey"] = SigningKey,
            ["Jwt__Issuer"] = "TicketFunctions",
            ["Jwt__Audience"] = "TicketFunctions",
            ["Jwt__Lifetime"] = "02:00:00",
            // The timers' schedules, which the host resolves (as in local.settings.json.example).
            ["Payments__ResendSchedule"] = "0 * * * * *",
            ["Refunds__SweepSchedule"] = "30 * * * * *",
            ["Maintenance__Schedule"] = "0 15 * * * *",
            // Log lines are not what is measured: warnings and errors only, in the host and in the worker alike.
            ["Logging__LogLevel__Default"] = "Warning",
        };
        string folder;
        if (provider == DbProvider.Postgres)
        {
            var postgres = await context.PostgresAsync();
            environment["Database__Provider"] = "postgres";
            environment["Database__ConnectionString"] = await postgres.CreateDatabaseAsync(migrated);
            folder = context.Directory;
        }
        else
        {
            folder = Path.Combine(context.Directory, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
            Directory.CreateDirectory(folder);
            environment["Database__Provider"] = "sqlite";
            environment["Database__Path"] = Path.Combine(folder, "ticketfunctions.db");
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IHostEnvironment>(new BenchEnvironment(folder));
        services.AddLogging();
        services.AddTicketFunctions(configuration);
        var database = new BenchDatabase(provider, environment, services.BuildServiceProvider());
        if (migrated && provider == DbProvider.Sqlite)
        {
            await database._services.GetRequiredService<Migrator>().MigrateAsync();
        }

        return database;
    }

    /// <summary>The raw store of baseline (a) over this database, in this process.</summary>
    public RawStore RawStore() => ReferenceApp.RawStore.Create(name => Environment.GetValueOrDefault(name.Replace(":", "__", StringComparison.Ordinal)));

    /// <summary>
    /// Users straight into the database in one transaction, with tokens from the app's own token service: 2,000
    /// registrations would spend minutes in the password hash.
    /// </summary>
    public async Task<List<(string Token, long Id)>> CreateUsersAsync(int count)
    {
        await using var connection = await Db.OpenAsync();
        await using var transaction = await Db.BeginWriteAsync(connection);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var users = new List<(string, long)>(count);
        for (var i = 0; i < count; i++)
        {
            var email = $"bench{i}-{tag}@example.com";
            var (id, stamp) = await connection.QuerySingleAsync<(long, string)>(
                "INSERT INTO users (email, normalized_email, email_skeleton, full_name, password_hash, role, created_at) VALUES (@email, lower(@email), lower(@email), 'Bench', 'x', 'User', 0) RETURNING id, security_stamp;",
                new { email }, transaction);
            users.Add((Tokens.Issue(new UserView(id, email, "Bench", "User", 0, stamp)), id));
        }

        await transaction.CommitAsync();
        return users;
    }

    /// <summary>A movie, a theatre of its own (so no overlap) and one showtime starting in <paramref name="startsIn"/>.</summary>
    public async Task<long> CreateShowtimeAsync(int rows, int seatsPerRow, TimeSpan startsIn, long priceCents = 1250)
    {
        await using var connection = await Db.OpenAsync();
        return await CreateShowtimeAsync(connection, rows, seatsPerRow, DateTimeOffset.UtcNow.Add(startsIn).ToUnixTimeMilliseconds(), priceCents);
    }

    public static async Task<long> CreateShowtimeAsync(DbConnection connection, int rows, int seatsPerRow, long startsAt, long priceCents = 1250, DbTransaction? transaction = null)
    {
        var movie = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO movies (title, description, genre, duration_minutes, rating, release_date, created_at) VALUES ('Bench', '', 'Drama', 120, 'PG', '2026-01-01', 0) RETURNING id;",
            transaction: transaction);
        var theatre = await connection.ExecuteScalarAsync<long>(
            "INSERT INTO theatres (name, city, address, seat_rows, seats_per_row, created_at) VALUES ('Bench', 'Bench', 'Bench', @rows, @seatsPerRow, 0) RETURNING id;",
            new { rows = (long)rows, seatsPerRow = (long)seatsPerRow }, transaction);
        return await connection.ExecuteScalarAsync<long>(
            "INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at) VALUES (@movie, @theatre, @startsAt, @endsAt, @priceCents, 0) RETURNING id;",
            new { movie, theatre, startsAt, endsAt = startsAt + (120 * 60_000), priceCents }, transaction);
    }

    /// <summary>Showtimes enough for <paramref name="holds"/> two-seat holds on <paramref name="rows"/>x<paramref name="seatsPerRow"/> halls.</summary>
    public async Task<List<long>> CreateShowtimesAsync(int count, int rows, int seatsPerRow)
    {
        await using var connection = await Db.OpenAsync();
        await using var transaction = await Db.BeginWriteAsync(connection);
        var showtimes = new List<long>();
        for (var i = 0; i < count; i++)
        {
            showtimes.Add(await CreateShowtimeAsync(connection, rows, seatsPerRow, DateTimeOffset.UtcNow.AddDays(2 + i).ToUnixTimeMilliseconds(), transaction: transaction));
        }

        await transaction.CommitAsync();
        return showtimes;
    }

    /// <summary>A seat label in row-major order: 0 is A1, 50 is B1 in a 50-seat row.</summary>
    public static string SeatLabel(int index, int seatsPerRow) => $"{(char)('A' + (index / seatsPerRow))}{(index % seatsPerRow) + 1}";

    public static HttpRequestMessage Json(HttpMethod method, Uri uri, string body, string? token = null)
    {
        var message = new HttpRequestMessage(method, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return message;
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}

/// <summary>The host environment the app's services see in the bench process: a content root and nothing else.</summary>
internal sealed class BenchEnvironment(string contentRoot) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Production";

    public string ApplicationName { get; set; } = "TicketFunctions";

    public string ContentRootPath { get; set; } = contentRoot;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
