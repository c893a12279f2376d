using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TicketFunctions.Tests.Security;

/// <summary>The security suite: one app on the local host (with a real Azurite) shared by its test classes, run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SecuritySuite : ICollectionFixture<SecurityHost>
{
    public const string Name = "Security";
}

/// <summary>
/// The app under attack, a few accounts and a little catalog to aim at, and the suite's figures, which it prints as
/// one closing line when the collection ends, as an xunit diagnostic message (xunit.runner.json turns them on), so that
/// it shows in the <c>dotnet test</c> output.
/// </summary>
public sealed class SecurityHost : IAsyncLifetime
{
    private readonly IMessageSink _sink;
    private int _movies;

    public SecurityHost(IMessageSink sink) => _sink = sink;

    public AzuriteFixture Azurite { get; } = new();

    public LocalHostApp App { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    public SecurityFigures Figures { get; } = new();

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        App = await LocalHostApp.StartAsync(Azurite);
        (AdminToken, _) = await App.LoginAsAdmin();
    }

    public async Task DisposeAsync()
    {
        var line = Figures.ClosingLine();
        _sink.OnMessage(new DiagnosticMessage(line));
        await App.DisposeAsync();
        await Azurite.DisposeAsync();
    }

    /// <summary>A new user who can log in, made through the API.</summary>
    public Task<(string Token, long UserId)> NewUser() => App.RegisterAndLogin();

    /// <summary>A new movie, theatre and showtime a week ahead, made through the API as the admin: the showtime's id.</summary>
    public async Task<Showtime> NewShowtime(int seatRows = 5, int seatsPerRow = 10)
    {
        var n = Interlocked.Increment(ref _movies);
        var movie = await Created("api/movies", new { title = $"Security film {n}", genre = "Drama", durationMinutes = 100, rating = "PG", releaseDate = "2025-01-01" });
        var theatre = await Created("api/theatres", new { name = $"Hall {n}", city = "Testville", address = "1 Test Street", seatRows, seatsPerRow });
        var startsAt = DateTime.UtcNow.AddDays(7).AddHours(n * 3);
        var showtime = await Created("api/showtimes", new { movieId = movie, theatreId = theatre, startsAt = startsAt.ToString("yyyy-MM-dd'T'HH:mm:00'Z'", System.Globalization.CultureInfo.InvariantCulture), price = 12.50m });
        return new Showtime(showtime, movie, theatre);
    }

    /// <summary>A new user with a PENDING booking and a paid one, on a new showtime: what generated requests aim at.</summary>
    public async Task<HostileTargets> NewTargets()
    {
        var (userToken, _) = await NewUser();
        var showtime = await NewShowtime();
        var booking = await NewBooking(userToken, showtime.Id, "E10");
        var paid = await NewBooking(userToken, showtime.Id, "E9");
        var payment = await NewPayment(userToken, paid);
        return new HostileTargets(userToken, AdminToken, new Dictionary<string, string>
        {
            ["bookings"] = booking.ToString(CultureInfo.InvariantCulture),
            ["payments"] = payment.ToString(CultureInfo.InvariantCulture),
            ["movies"] = showtime.MovieId.ToString(CultureInfo.InvariantCulture),
            ["theatres"] = showtime.TheatreId.ToString(CultureInfo.InvariantCulture),
            ["showtimes"] = showtime.Id.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>A PENDING booking of the user: its id.</summary>
    public async Task<long> NewBooking(string token, long showtimeId, params string[] seats)
    {
        using var response = await App.Post("api/bookings", new { showtimeId, seats }, token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>A payment for the booking, accepted (202) and queued: its id.</summary>
    public async Task<long> NewPayment(string token, long bookingId, string paymentToken = "tok_visa")
    {
        using var response = await App.Post("api/payments", new { bookingId, paymentToken }, token);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>Waits (polling the database, at most 30 s) until the payment has left PENDING: its status.</summary>
    public static async Task<string> SettledPaymentStatus(TicketFunctions.Data.Db db, long paymentId)
    {
        for (var i = 0; i < 300; i++)
        {
            await using var connection = await db.OpenAsync();
            var status = await connection.ExecuteScalarAsync<string>("SELECT status FROM payments WHERE id = @paymentId", new { paymentId });
            if (status is not null and not "PENDING")
            {
                return status;
            }

            await Task.Delay(100);
        }

        return "PENDING";
    }

    public async Task<T?> Scalar<T>(string sql, object? parameters = null)
    {
        await using var connection = await App.Db.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }

    private async Task<long> Created(string path, object body)
    {
        using var response = await App.Post(path, body, AdminToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }
}

public sealed record Showtime(long Id, long MovieId, long TheatreId);

/// <summary>What the suite sent and what it found, for the closing line.</summary>
public sealed class SecurityFigures
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string name, int count = 1) => _counts.AddOrUpdate(name, count, (_, old) => old + count);

    public int this[string name] => _counts.GetValueOrDefault(name);

    public string ClosingLine()
        => $"security suite: hostile requests: {this["hostile"]}, 5xx: {this["hostile5xx"]}, leaks: {this["hostileLeaks"]}; "
            + $"token attacks: {this["tokenRefused"]}/{this["tokenAttacks"]} refused ({this["tokenRequests"]} requests over {this["tokenRoutes"]} routes); "
            + $"admin routes as User: {this["admin403"]}/{this["adminRoutes"]} 403; "
            + $"BOLA routes: {this["bola404"]}/{this["bolaRoutes"]} 404; "
            + $"seat limit: {this["seatLimitHeld"]}/{this["seatLimit"]} seats held by {this["seatLimitRequests"]} concurrent requests; "
            + $"restart: {this["restartSurvived"]}/{this["restartChecks"]} survived; "
            + $"password hash: PBKDF2 v3 {this["pbkdf2Iterations"]} iterations, unknown-email logins hashed {this["loginHashed"]}/{this["loginCases"]}";
}
