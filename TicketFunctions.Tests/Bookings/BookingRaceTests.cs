using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Bookings;

/// <summary>
/// Many bookings at once through the function class, on real threads against the real SQLite file: the database
/// alone decides who wins each seat.
/// </summary>
public sealed class BookingRaceTests
{
    [Fact]
    public async Task Two_hundred_concurrent_requests_for_the_same_two_seats_have_exactly_one_winner()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 5, seatsPerRow: 10);
        var users = await app.CreateUsers(200);

        var answers = await Task.WhenAll(users.Select(u => Task.Run(() => app.Book(u.Token, showtime, "C5", "C6"))));

        Assert.All(answers, a => Assert.True(a.Status is 201 or 409, a.ToString()));
        var winner = Assert.Single(answers, a => a.Status == 201);
        Assert.All(answers.Where(a => a.Status == 409), a => Assert.Equal("seats_taken", a.Json.GetProperty("code").GetString()));
        var winnerId = winner.Json.GetProperty("id").GetInt64();
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
        Assert.Equal([winnerId, winnerId], (await app.DbRows<long>("SELECT booking_id FROM seat_claims WHERE booking_id IS NOT NULL AND showtime_id = @showtime", new { showtime })).ToArray());
        Assert.Equal(["C5", "C6"], (await app.DbRows<string>("SELECT seat FROM booking_seats WHERE booking_id = @winnerId ORDER BY seat", new { winnerId })).ToArray());
    }

    [Fact]
    public async Task A_hundred_concurrent_single_seat_requests_fill_a_fifty_seat_hall_exactly_once()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 5, seatsPerRow: 10);
        var users = await app.CreateUsers(100);

        var answers = await Task.WhenAll(users.Select(u => Task.Run(() => app.BookCount(u.Token, showtime, 1))));

        Assert.All(answers, a => Assert.True(a.Status is 201 or 409, a.ToString()));
        var winners = answers.Where(a => a.Status == 201).ToList();
        Assert.Equal(50, winners.Count);
        Assert.All(answers.Where(a => a.Status == 409), a => Assert.Equal("not_enough_seats", a.Json.GetProperty("code").GetString()));
        var seats = winners.Select(w => Assert.Single(w.Json.GetProperty("seats").EnumerateArray()).GetString()!).ToList();
        Assert.Equal(50, seats.Distinct().Count());

        var claims = await app.DbRows<(string Seat, long BookingId)>("SELECT seat, booking_id FROM seat_claims WHERE booking_id IS NOT NULL AND showtime_id = @showtime", new { showtime });
        Assert.Equal(50, claims.Count);
        Assert.Equal(
            winners.Select(w => (w.Json.GetProperty("seats")[0].GetString()!, w.Json.GetProperty("id").GetInt64())).Order().ToArray(),
            claims.Order().ToArray());
        Assert.Equal(50, await app.DbScalar<long>("SELECT count(*) FROM bookings"));
        Assert.DoesNotContain("available", (await app.SeatMap(showtime)).Values);
    }

    [Fact]
    public async Task Two_hundred_concurrent_holds_of_one_user_on_one_showtime_stop_exactly_at_the_per_user_limit()
    {
        await using var app = await TestApp.StartWithGatewayAsync();
        var showtime = await app.CreateShowtime(seatRows: 20, seatsPerRow: 20);
        var (token, userId) = await app.RegisterAndLogin();

        // Half ask for a seat by name (each a different one), half for the best seat; all are the same user's.
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => i % 2 == 0
            ? app.Book(token, showtime, $"{(char)('A' + (i / 20))}{(i % 20) + 1}")
            : app.BookCount(token, showtime, 1))));

        Assert.All(answers, a => Assert.True(a.Status is 201 or 409, a.ToString()));
        Assert.Equal(10, answers.Count(a => a.Status == 201));
        Assert.All(answers.Where(a => a.Status == 409), a => Assert.Equal("seat_limit", a.Json.GetProperty("code").GetString()));
        Assert.Equal(10, await app.DbScalar<long>(
            "SELECT count(*) FROM seat_claims c JOIN bookings b ON b.id = c.booking_id WHERE b.user_id = @userId AND c.showtime_id = @showtime",
            new { userId, showtime }));
        Assert.Equal(10, await app.DbScalar<long>("SELECT count(*) FROM bookings WHERE user_id = @userId", new { userId }));
    }
}
