using TicketFunctions.Catalog;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Catalog;

public sealed class ShowtimeFunctionsTests
{
    private static readonly DateTime Tomorrow = new(2026, 11, 26, 18, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Creating_a_showtime_answers_201_with_end_time_from_the_movie_length_and_exact_price()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie("Heat", durationMinutes: 170);
        var theatre = await app.CreateTheatre(4, 5, "Hall 9");

        var created = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Create), app.Request("POST", "/api/showtimes", new { movieId = movie, theatreId = theatre, startsAt = "2026-11-26T18:00:00Z", price = 12.5m }, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(201, created.Status);
        var json = created.Json;
        Assert.Equal($"/api/showtimes/{json.GetProperty("id").GetInt64()}", created.Headers.Location.ToString());
        Assert.Equal("2026-11-26T18:00:00Z", json.GetProperty("startsAt").GetString());
        Assert.Equal("2026-11-26T20:50:00Z", json.GetProperty("endsAt").GetString());
        Assert.Contains("\"price\":12.50", created.Body, StringComparison.Ordinal);
        Assert.Equal("Heat", json.GetProperty("movieTitle").GetString());
        Assert.Equal("Hall 9", json.GetProperty("theatreName").GetString());
        Assert.Equal(20, json.GetProperty("capacity").GetInt32());
        Assert.Equal(20, json.GetProperty("availableSeats").GetInt32());
    }

    [Theory]
    [InlineData("startsAt", "2026-11-25T11:00:00Z", 10.00)]
    [InlineData("startsAt", "2026-11-25T12:00:00Z", 10.00)]
    [InlineData("startsAt", "2040-01-01T12:00:00Z", 10.00)]
    [InlineData("price", "2026-11-26T18:00:00Z", 0)]
    [InlineData("price", "2026-11-26T18:00:00Z", -1)]
    [InlineData("price", "2026-11-26T18:00:00Z", 12.345)]
    public async Task Creating_a_showtime_in_the_past_or_with_a_bad_price_answers_400(string field, string startsAt, double price)
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie();
        var theatre = await app.CreateTheatre();

        var answer = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Create), app.Request("POST", "/api/showtimes", new { movieId = movie, theatreId = theatre, startsAt, price = (decimal)price }, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(400, answer.Status);
        Assert.True(answer.Json.GetProperty("errors").TryGetProperty(field, out _), answer.Body);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM showtimes"));
    }

    [Fact]
    public async Task Creating_a_showtime_for_an_unknown_movie_or_theatre_answers_404_naming_which()
    {
        await using var app = await TestApp.StartAsync();
        var token = await app.AdminToken();
        var movie = await app.CreateMovie();
        var theatre = await app.CreateTheatre();

        foreach (var (movieId, theatreId, detail) in new[] { (404L, 405L, "No movie with this id."), (movie, 405L, "No theatre with this id."), (404L, theatre, "No movie with this id.") })
        {
            var answer = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Create), app.Request("POST", "/api/showtimes", new { movieId, theatreId, startsAt = Tomorrow, price = 9m }, token), (f, r) => f.Create(r));

            Assert.Equal(404, answer.Status);
            Assert.Equal(detail, answer.Json.GetProperty("detail").GetString());
        }

        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM showtimes"));
    }

    [Fact]
    public async Task Creating_a_showtime_without_a_start_time_offset_answers_400()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie();
        var theatre = await app.CreateTheatre();

        var answer = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Create), app.Request("POST", "/api/showtimes", new { movieId = movie, theatreId = theatre, startsAt = "2026-11-26T18:00:00", price = 9m }, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(400, answer.Status);
    }

    [Fact]
    public async Task An_overlapping_showtime_in_the_same_theatre_answers_409_naming_the_other_one()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie(durationMinutes: 120);
        var theatre = await app.CreateTheatre();
        var first = await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(24));

        var answer = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Create), app.Request("POST", "/api/showtimes",
            new { movieId = movie, theatreId = theatre, startsAt = app.Clock.GetUtcNow().UtcDateTime.AddHours(25), price = 9m }, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(409, answer.Status);
        Assert.Equal("showtime_overlap", answer.Json.GetProperty("code").GetString());
        Assert.Equal(first, answer.Json.GetProperty("conflictingShowtimeId").GetInt64());
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM showtimes"));
    }

    [Fact]
    public async Task Back_to_back_showtimes_and_showtimes_in_other_theatres_do_not_overlap()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie(durationMinutes: 120);
        var theatre = await app.CreateTheatre();
        var other = await app.CreateTheatre(name: "Hall 2");

        await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(24));
        await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(26));
        await app.CreateShowtime(movie, other, TimeSpan.FromHours(24));

        Assert.Equal(3, await app.DbScalar<long>("SELECT count(*) FROM showtimes"));
    }

    [Fact]
    public async Task Creating_a_showtime_answers_401_without_a_token_and_403_for_a_user()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie();
        var theatre = await app.CreateTheatre();
        var (user, _) = await app.RegisterAndLogin();
        var body = new { movieId = movie, theatreId = theatre, startsAt = Tomorrow, price = 9m };
        var showtimes = app.Function<ShowtimeFunctions>();

        Assert.Equal(401, (await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Create), app.Request("POST", "/api/showtimes", body), (f, r) => f.Create(r))).Status);
        Assert.Equal(403, (await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Create), app.Request("POST", "/api/showtimes", body, user), (f, r) => f.Create(r))).Status);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM showtimes"));
    }

    [Fact]
    public async Task Getting_an_unknown_showtime_or_its_seats_answers_404()
    {
        await using var app = await TestApp.StartAsync();
        var showtimes = app.Function<ShowtimeFunctions>();

        Assert.Equal(404, (await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Get), app.Request("GET", "/api/showtimes/5"), (f, r) => f.Get(r, 5))).Status);
        Assert.Equal(404, (await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Seats), app.Request("GET", "/api/showtimes/5/seats"), (f, r) => f.Seats(r, 5))).Status);
        Assert.Equal(404, (await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Seats), app.Request("GET", "/api/showtimes/0/seats"), (f, r) => f.Seats(r, 0))).Status);
    }

    [Fact]
    public async Task The_seat_map_of_a_new_showtime_lists_every_seat_available_in_row_major_order()
    {
        await using var app = await TestApp.StartAsync();
        var showtime = await app.CreateShowtime(seatRows: 2, seatsPerRow: 11);

        var map = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.Seats), app.Request("GET", $"/api/showtimes/{showtime}/seats"), (f, r) => f.Seats(r, showtime));

        Assert.Equal(200, map.Status);
        Assert.Equal(showtime, map.Json.GetProperty("showtimeId").GetInt64());
        var seats = map.Json.GetProperty("seats").EnumerateArray().ToList();
        Assert.Equal(22, seats.Count);
        Assert.Equal(["A1", "A2", "A3"], seats.Take(3).Select(s => s.GetProperty("seat").GetString()!).ToArray());
        Assert.Equal("A11", seats[10].GetProperty("seat").GetString());
        Assert.Equal("B", seats[11].GetProperty("row").GetString());
        Assert.Equal(1, seats[11].GetProperty("number").GetInt32());
        Assert.All(seats, s => Assert.Equal("available", s.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Listing_showtimes_shows_upcoming_ones_by_start_unless_past_ones_are_asked_for()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie(durationMinutes: 60);
        var theatre = await app.CreateTheatre();
        var later = await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(5));
        var soon = await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(2));
        var soonest = await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(1));
        app.Clock.Advance(TimeSpan.FromHours(1.5));
        var showtimes = app.Function<ShowtimeFunctions>();

        async Task<long[]> Ids(string? query)
        {
            var page = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.List), app.Request("GET", "/api/showtimes", query: query), (f, r) => f.List(r));
            Assert.Equal(200, page.Status);
            return [.. page.Json.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64())];
        }

        Assert.Equal([soon, later], await Ids(null));
        Assert.Equal([soonest, soon, later], await Ids("includePast=true"));
    }

    [Fact]
    public async Task Listing_showtimes_filters_by_movie_theatre_and_utc_day()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie("One", durationMinutes: 60);
        var other = await app.CreateMovie("Two", durationMinutes: 60);
        var theatre = await app.CreateTheatre();
        var hall2 = await app.CreateTheatre(name: "Hall 2");
        var today = await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(11));
        var tomorrow = await app.CreateShowtime(movie, theatre, TimeSpan.FromHours(12));
        var otherMovie = await app.CreateShowtime(other, theatre, TimeSpan.FromHours(14));
        var otherHall = await app.CreateShowtime(movie, hall2, TimeSpan.FromHours(14));
        var showtimes = app.Function<ShowtimeFunctions>();

        async Task<long[]> Ids(string query)
        {
            var page = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.List), app.Request("GET", "/api/showtimes", query: query), (f, r) => f.List(r));
            Assert.Equal(200, page.Status);
            return [.. page.Json.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64())];
        }

        Assert.Equal([today], await Ids("date=2026-11-25"));
        Assert.Equal([tomorrow, otherMovie, otherHall], await Ids("date=2026-11-26"));
        Assert.Equal([otherMovie], await Ids($"movieId={other}"));
        Assert.Equal([otherHall], await Ids($"theatreId={hall2}"));
        Assert.Equal([tomorrow, otherHall], await Ids($"movieId={movie}&date=2026-11-26"));
    }

    [Theory]
    [InlineData("date=2026-13-01")]
    [InlineData("date=tomorrow")]
    [InlineData("movieId=abc")]
    [InlineData("includePast=maybe")]
    public async Task Listing_showtimes_with_a_bad_filter_answers_400(string query)
    {
        await using var app = await TestApp.StartAsync();

        var page = await app.Invoke<ShowtimeFunctions>(nameof(ShowtimeFunctions.List), app.Request("GET", "/api/showtimes", query: query), (f, r) => f.List(r));

        Assert.Equal(400, page.Status);
        Assert.True(page.IsProblem);
    }
}
