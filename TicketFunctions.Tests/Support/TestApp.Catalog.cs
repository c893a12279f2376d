using TicketFunctions.Catalog;

namespace TicketFunctions.Tests.Support;

public sealed partial class TestApp
{
    private string? _adminToken;

    /// <summary>The seeded admin's token, logged in once per app.</summary>
    public async Task<string> AdminToken() => _adminToken ??= (await LoginAsAdmin()).Token;

    /// <summary>A valid movie body; override fields with <c>with</c>-style anonymous objects in the tests that need it.</summary>
    public static object MovieBody(string title = "The Long Night", string genre = "Drama", int durationMinutes = 120)
        => new { title, description = "A film.", genre, durationMinutes, rating = "PG-13", releaseDate = "2026-10-01" };

    public async Task<long> CreateMovie(string title = "The Long Night", string genre = "Drama", int durationMinutes = 120)
    {
        var movies = Function<MovieFunctions>();
        var created = await Call(async () => await movies.Create(Request("POST", "/api/movies", MovieBody(title, genre, durationMinutes), await AdminToken())));
        Assert.True(created.Status == 201, created.ToString());
        return created.Json.GetProperty("id").GetInt64();
    }

    public async Task<long> CreateTheatre(int seatRows = 5, int seatsPerRow = 10, string name = "Hall 1", string city = "Lisbon")
    {
        var theatres = Function<TheatreFunctions>();
        var body = new { name, city, address = "1 Main Street", seatRows, seatsPerRow };
        var created = await Call(async () => await theatres.Create(Request("POST", "/api/theatres", body, await AdminToken())));
        Assert.True(created.Status == 201, created.ToString());
        return created.Json.GetProperty("id").GetInt64();
    }

    /// <summary>A showtime starting <paramref name="startsIn"/> from the fake clock's now (a day ahead by default).</summary>
    public async Task<long> CreateShowtime(long movieId, long theatreId, TimeSpan? startsIn = null, decimal price = 12.50m)
    {
        var showtimes = Function<ShowtimeFunctions>();
        var body = new { movieId, theatreId, startsAt = Clock.GetUtcNow().UtcDateTime + (startsIn ?? TimeSpan.FromDays(1)), price };
        var created = await Call(async () => await showtimes.Create(Request("POST", "/api/showtimes", body, await AdminToken())));
        Assert.True(created.Status == 201, created.ToString());
        return created.Json.GetProperty("id").GetInt64();
    }

    /// <summary>A movie, a theatre of the given size and a showtime a day ahead: the showtime id.</summary>
    public async Task<long> CreateShowtime(int seatRows = 5, int seatsPerRow = 10, decimal price = 12.50m)
        => await CreateShowtime(await CreateMovie(), await CreateTheatre(seatRows, seatsPerRow), price: price);

    /// <summary>The seat map's status per seat label.</summary>
    public async Task<Dictionary<string, string>> SeatMap(long showtimeId)
    {
        var map = await Call(() => Function<ShowtimeFunctions>().Seats(Request("GET", $"/api/showtimes/{showtimeId}/seats"), showtimeId));
        Assert.True(map.Status == 200, map.ToString());
        return map.Json.GetProperty("seats").EnumerateArray()
            .ToDictionary(s => s.GetProperty("seat").GetString()!, s => s.GetProperty("status").GetString()!);
    }
}
