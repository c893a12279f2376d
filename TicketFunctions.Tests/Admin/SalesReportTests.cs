using System.Text.Json;
using TicketFunctions.Admin;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Admin;

public sealed class SalesReportTests
{
    private static Task<TestResponse> Report(TestApp app, string? token, string? query = null)
        => app.Invoke<AdminFunctions>(nameof(AdminFunctions.SalesReport), app.Request("GET", "/api/manage/reports/sales", token: token, query: query), (f, r) => f.SalesReport(r));

    [Fact]
    public async Task The_report_sums_confirmed_bookings_per_movie_in_exact_cents_ordered_by_revenue()
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();
        var (_, userId) = await app.RegisterAndLogin();
        var dec1 = new DateTimeOffset(2026, 12, 1, 18, 0, 0, TimeSpan.Zero);
        var (arrival1, arrival) = await app.SeedShowtime(title: "Arrival", startsAt: dec1);
        var (arrival2, _) = await app.SeedShowtime(movieId: arrival, startsAt: dec1.AddDays(1));
        var (arrival3, _) = await app.SeedShowtime(movieId: arrival, startsAt: dec1.AddDays(2));
        var (brazil1, brazil) = await app.SeedShowtime(title: "Brazil", startsAt: dec1);
        await app.SeedShowtime(title: "Unsold");

        await app.SeedConfirmedBooking(userId, arrival1, ["A1", "A2", "A3"], 1001);   // 30.03
        await app.SeedConfirmedBooking(userId, arrival1, ["B1"], 1001);               // 10.01
        await app.SeedConfirmedBooking(userId, arrival2, ["A1", "A2"], 1999);         // 39.98
        await app.SeedPendingBooking(userId, ["C1", "C2"], 5000, arrival3);           // not sold
        await app.SeedBooking(userId, arrival3, ["D1"], 5000, "CANCELLED", 0, 0, null); // not sold
        await app.SeedConfirmedBooking(userId, brazil1, ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10"], 1033); // 103.30

        var response = await Report(app, adminToken);

        Assert.Equal(200, response.Status);
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("from").ValueKind);
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("to").ValueKind);
        var movies = response.Json.GetProperty("movies").EnumerateArray().ToArray();
        Assert.Equal(2, movies.Length);
        Assert.Equal(brazil, movies[0].GetProperty("movieId").GetInt64());
        Assert.Equal("Brazil", movies[0].GetProperty("title").GetString());
        Assert.Equal(10, movies[0].GetProperty("ticketsSold").GetInt64());
        Assert.Equal("103.30", movies[0].GetProperty("revenue").GetRawText());
        Assert.Equal(1, movies[0].GetProperty("showtimes").GetInt64());
        Assert.Equal(arrival, movies[1].GetProperty("movieId").GetInt64());
        Assert.Equal(6, movies[1].GetProperty("ticketsSold").GetInt64());
        Assert.Equal("80.02", movies[1].GetProperty("revenue").GetRawText());
        Assert.Equal(2, movies[1].GetProperty("showtimes").GetInt64());
        var totals = response.Json.GetProperty("totals");
        Assert.Equal(16, totals.GetProperty("ticketsSold").GetInt64());
        Assert.Equal("183.32", totals.GetProperty("revenue").GetRawText());
        Assert.Equal(3, totals.GetProperty("showtimes").GetInt64());
    }

    [Fact]
    public async Task The_report_counts_showtimes_starting_between_from_and_to_inclusive()
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();
        var (_, userId) = await app.RegisterAndLogin();
        var (early, movie) = await app.SeedShowtime(startsAt: new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var (late, _) = await app.SeedShowtime(movieId: movie, startsAt: new DateTimeOffset(2026, 12, 3, 20, 0, 0, TimeSpan.Zero));
        await app.SeedConfirmedBooking(userId, early, ["A1"], 1000);
        await app.SeedConfirmedBooking(userId, late, ["A1", "A2"], 1500);

        var onlyEarly = await Report(app, adminToken, "from=2026-12-01&to=2026-12-02");
        var onlyLate = await Report(app, adminToken, "from=2026-12-01T00:00:01Z");
        var lastDay = await Report(app, adminToken, "from=2026-12-03&to=2026-12-03");

        Assert.Equal("2026-12-01T00:00:00Z", onlyEarly.Json.GetProperty("from").GetString());
        Assert.Equal("2026-12-02T23:59:59.999Z", onlyEarly.Json.GetProperty("to").GetString());
        Assert.Equal("30.00", lastDay.Json.GetProperty("totals").GetProperty("revenue").GetRawText());
        Assert.Equal("10.00", onlyEarly.Json.GetProperty("totals").GetProperty("revenue").GetRawText());
        Assert.Equal(1, onlyEarly.Json.GetProperty("totals").GetProperty("ticketsSold").GetInt64());
        Assert.Equal("30.00", onlyLate.Json.GetProperty("totals").GetProperty("revenue").GetRawText());
        Assert.Equal(JsonValueKind.Null, onlyLate.Json.GetProperty("to").ValueKind);
    }

    [Fact]
    public async Task An_empty_report_has_zero_totals()
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();

        var response = await Report(app, adminToken);

        Assert.Equal(200, response.Status);
        Assert.Empty(response.Json.GetProperty("movies").EnumerateArray());
        Assert.Equal(0, response.Json.GetProperty("totals").GetProperty("ticketsSold").GetInt64());
        Assert.Equal("0.00", response.Json.GetProperty("totals").GetProperty("revenue").GetRawText());
        Assert.Equal(0, response.Json.GetProperty("totals").GetProperty("showtimes").GetInt64());
    }

    [Theory]
    [InlineData("from=2026-12-02&to=2026-12-01", "to")]
    [InlineData("from=tomorrow", "from")]
    [InlineData("to=2026-13-01", "to")]
    public async Task Invalid_or_reversed_bounds_answer_400(string query, string field)
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();

        var response = await Report(app, adminToken, query);

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
    }
}
