using System.Text.Json;
using TicketFunctions.Admin;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Admin;

public sealed class AdminBookingsTests
{
    private static Task<TestResponse> List(TestApp app, string? token, string? query = null)
        => app.Invoke<AdminFunctions>(nameof(AdminFunctions.ListBookings), app.Request("GET", "/api/manage/bookings", token: token, query: query), (f, r) => f.ListBookings(r));

    private static Task<TestResponse> Get(TestApp app, string? token, long id)
        => app.Invoke<AdminFunctions>(nameof(AdminFunctions.GetBooking), app.Request("GET", $"/api/manage/bookings/{id}", token: token), (f, r) => f.GetBooking(r, id));

    private static long[] Ids(TestResponse response)
        => [.. response.Json.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetInt64())];

    [Fact]
    public async Task Admin_routes_answer_401_without_a_token_and_403_to_a_user()
    {
        await using var app = await TestApp.StartAsync();
        var (userToken, _) = await app.RegisterAndLogin();
        var fn = app.Function<AdminFunctions>();

        foreach (var token in new string?[] { null, userToken })
        {
            var expected = token is null ? 401 : 403;
            Assert.Equal(expected, (await List(app, token)).Status);
            Assert.Equal(expected, (await Get(app, token, 1)).Status);
            Assert.Equal(expected, (await app.Invoke<AdminFunctions>(nameof(AdminFunctions.SalesReport), app.Request("GET", "/api/manage/reports/sales", token: token), (f, r) => f.SalesReport(r))).Status);
        }
    }

    [Fact]
    public async Task The_list_shows_every_users_bookings_newest_first_with_user_movie_theatre_showtime_and_latest_payment()
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();
        var (token, userId) = await app.RegisterAndLogin("alice@example.com");
        var (_, otherId) = await app.RegisterAndLogin();
        var (showtimeId, movieId) = await app.SeedShowtime(title: "Arrival", startsAt: new DateTimeOffset(2026, 12, 1, 18, 30, 0, TimeSpan.Zero));
        var first = await app.SeedPendingBooking(userId, ["A10", "A2", "B1"], 1250, showtimeId);
        var declined = await app.StartPayment(token, first, "tok_chargeDeclined");
        await app.ProcessPayment(declined);
        await app.StartPayment(token, first);
        var second = await app.SeedPendingBooking(otherId, ["C1"], 900, showtimeId);

        var response = await List(app, adminToken);

        Assert.Equal(200, response.Status);
        Assert.Equal([second, first], Ids(response));
        Assert.Equal(2, response.Json.GetProperty("totalCount").GetInt64());
        Assert.Equal(1, response.Json.GetProperty("page").GetInt32());
        Assert.Equal(20, response.Json.GetProperty("pageSize").GetInt32());
        var b = response.Json.GetProperty("items")[1];
        Assert.Equal(showtimeId, b.GetProperty("showtimeId").GetInt64());
        Assert.Equal(userId, b.GetProperty("userId").GetInt64());
        Assert.Equal(["A2", "A10", "B1"], b.GetProperty("seats").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(3, b.GetProperty("seatCount").GetInt32());
        Assert.Equal("12.50", b.GetProperty("unitPrice").GetRawText());
        Assert.Equal("37.50", b.GetProperty("totalPrice").GetRawText());
        Assert.Equal("PENDING", b.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T12:00:00Z", b.GetProperty("createdAt").GetString());
        Assert.Equal("2026-11-25T12:10:00Z", b.GetProperty("expiresAt").GetString());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("confirmedAt").ValueKind);
        Assert.Equal("alice@example.com", b.GetProperty("userEmail").GetString());
        Assert.Equal("Arrival", b.GetProperty("movieTitle").GetString());
        Assert.StartsWith("Theatre ", b.GetProperty("theatreName").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-12-01T18:30:00Z", b.GetProperty("startsAt").GetString());
        Assert.Equal("PENDING", b.GetProperty("paymentStatus").GetString());
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("items")[0].GetProperty("paymentStatus").ValueKind);
        Assert.True(movieId > 0);
    }

    [Fact]
    public async Task The_list_filters_by_status_user_showtime_movie_and_creation_time()
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();
        var (_, alice) = await app.RegisterAndLogin();
        var (_, bob) = await app.RegisterAndLogin();
        var (showA, movieA) = await app.SeedShowtime();
        var (showB, movieB) = await app.SeedShowtime();
        var aliceHold = await app.SeedPendingBooking(alice, ["A1"], 1000, showA, holdFor: TimeSpan.FromMinutes(5));
        app.Clock.Advance(TimeSpan.FromHours(1));
        var bobConfirmed = await app.SeedConfirmedBooking(bob, showB, ["A1"], 1000);
        var aliceLive = await app.SeedPendingBooking(alice, ["B1"], 1000, showB);
        var now = app.Clock.GetUtcNow();
        var cancelled = await app.SeedBooking(bob, showA, ["C1"], 1000, "CANCELLED", now.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), null);

        Assert.Equal([aliceHold], Ids(await List(app, adminToken, "status=EXPIRED")));
        Assert.Equal([aliceLive], Ids(await List(app, adminToken, "status=pending")));
        Assert.Equal([bobConfirmed], Ids(await List(app, adminToken, "status=CONFIRMED")));
        Assert.Equal([cancelled], Ids(await List(app, adminToken, "status=CANCELLED")));
        Assert.Equal([aliceLive, aliceHold], Ids(await List(app, adminToken, $"userId={alice}")));
        Assert.Equal([cancelled, aliceHold], Ids(await List(app, adminToken, $"showtimeId={showA}")));
        Assert.Equal([aliceLive, bobConfirmed], Ids(await List(app, adminToken, $"movieId={movieB}")));
        Assert.Equal([aliceHold], Ids(await List(app, adminToken, "to=2026-11-25T12:30:00Z")));
        Assert.Equal([cancelled, aliceLive, bobConfirmed], Ids(await List(app, adminToken, "from=2026-11-25T13:00:00Z")));
        Assert.Equal([aliceHold], Ids(await List(app, adminToken, $"userId={alice}&movieId={movieA}&status=EXPIRED")));
        Assert.Equal("EXPIRED", (await List(app, adminToken, $"userId={alice}")).Json.GetProperty("items")[1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_list_pages()
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();
        var (_, userId) = await app.RegisterAndLogin();
        var (showtimeId, _) = await app.SeedShowtime();
        var ids = new List<long>();
        foreach (var seat in new[] { "A1", "A2", "A3", "A4", "A5" })
        {
            ids.Add(await app.SeedPendingBooking(userId, [seat], 1000, showtimeId));
        }

        var page2 = await List(app, adminToken, "page=2&pageSize=2");
        var page3 = await List(app, adminToken, "page=3&pageSize=2");
        var page4 = await List(app, adminToken, "page=4&pageSize=2");

        Assert.Equal([ids[2], ids[1]], Ids(page2));
        Assert.Equal(5, page2.Json.GetProperty("totalCount").GetInt64());
        Assert.Equal(2, page2.Json.GetProperty("page").GetInt32());
        Assert.Equal(2, page2.Json.GetProperty("pageSize").GetInt32());
        Assert.Equal([ids[0]], Ids(page3));
        Assert.Empty(Ids(page4));
    }

    [Theory]
    [InlineData("status=PAID", "status")]
    [InlineData("userId=0", "userId")]
    [InlineData("showtimeId=abc", "showtimeId")]
    [InlineData("movieId=-1", "movieId")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-12-02&to=2026-12-01", "to")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("page=0", "page")]
    public async Task Invalid_filters_answer_400_naming_the_parameter(string query, string field)
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();

        var response = await List(app, adminToken, query);

        Assert.Equal(400, response.Status);
        Assert.True(response.IsProblem);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(field, out _), response.Body);
    }

    [Fact]
    public async Task One_booking_comes_with_its_user_seats_and_every_payment()
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();
        var (token, userId) = await app.RegisterAndLogin("bob@example.com");
        var bookingId = await app.SeedPendingBooking(userId, ["D4", "D5"], 1100);
        var declined = await app.StartPayment(token, bookingId, "tok_chargeDeclined");
        await app.ProcessPayment(declined);
        app.Clock.Advance(TimeSpan.FromSeconds(10));
        var paid = await app.StartPayment(token, bookingId);
        await app.ProcessPayment(paid);

        var response = await Get(app, adminToken, bookingId);

        Assert.Equal(200, response.Status);
        var b = response.Json;
        Assert.Equal(bookingId, b.GetProperty("id").GetInt64());
        Assert.Equal("CONFIRMED", b.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T12:00:10Z", b.GetProperty("confirmedAt").GetString());
        Assert.Equal(["D4", "D5"], b.GetProperty("seats").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("22.00", b.GetProperty("totalPrice").GetRawText());
        Assert.Equal("SUCCESS", b.GetProperty("paymentStatus").GetString());
        var user = b.GetProperty("user");
        Assert.Equal(userId, user.GetProperty("id").GetInt64());
        Assert.Equal("bob@example.com", user.GetProperty("email").GetString());
        Assert.Equal("Test User", user.GetProperty("fullName").GetString());
        Assert.Equal("User", user.GetProperty("role").GetString());
        Assert.Equal("2026-11-25T12:00:00Z", user.GetProperty("createdAt").GetString());
        Assert.False(user.TryGetProperty("passwordHash", out _));
        var payments = b.GetProperty("payments").EnumerateArray().ToArray();
        Assert.Equal([declined, paid], payments.Select(p => p.GetProperty("id").GetInt64()));
        Assert.Equal(["FAILED", "SUCCESS"], payments.Select(p => p.GetProperty("status").GetString()));
        Assert.Equal("card_declined", payments[0].GetProperty("failureReason").GetString());
        Assert.Equal("22.00", payments[1].GetProperty("amount").GetRawText());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(98765)]
    public async Task An_unknown_booking_answers_404(long id)
    {
        await using var app = await TestApp.StartAsync();
        var (adminToken, _) = await app.LoginAsAdmin();

        Assert.Equal(404, (await Get(app, adminToken, id)).Status);
    }
}
