using System.Net;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>
/// The booking races of <see cref="Bookings.BookingRaceTests"/> over real HTTP: Kestrel, the local host's routing and
/// the real SQLite file, every request released at once. Only the database decides who wins a seat.
/// </summary>
public sealed class BookingRacesOverHttpTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Two_hundred_concurrent_posts_for_the_same_two_seats_give_one_201_and_199_409s_naming_the_seats()
    {
        await using var host = await LocalHostApp.StartAsync(azurite);
        var api = new ApiClient(host.Client);
        var showtime = await api.CreateShowtime(await api.LoginAsAdmin(), seatRows: 5, seatsPerRow: 10);
        var users = await TestUsers.CreateAsync(host.Services, 200);
        using var races = ApiClient.ForRaces(host.BaseAddress, 250).Http;

        var answers = await AllAtOnce(users, u => new ApiClient(races).Book(u.Token, showtime, "C5", "C6"));

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, a.ToString()));
        var winner = Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.Equal(["C5", "C6"], winner.Json.GetProperty("seats").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("PENDING", winner.Field("status"));
        var losers = answers.Where(a => a.Status == HttpStatusCode.Conflict).ToList();
        Assert.Equal(199, losers.Count);
        Assert.All(losers, a =>
        {
            Assert.True(a.IsProblem, a.ToString());
            Assert.Equal("seats_taken", a.Field("code"));
            Assert.Equal(["C5", "C6"], a.Json.GetProperty("seats").EnumerateArray().Select(s => s.GetString()));
        });

        await using var connection = await host.Db.OpenAsync();
        var bookings = (await connection.QueryAsync<(long Id, long UserId, string Status)>("SELECT id, user_id, status FROM bookings")).ToList();
        var booking = Assert.Single(bookings);
        Assert.Equal((winner.Id, winner.Json.GetProperty("userId").GetInt64(), "PENDING"), booking);
        var claims = await connection.QueryAsync<(string Seat, long BookingId)>(
            "SELECT seat, booking_id FROM seat_claims WHERE booking_id IS NOT NULL AND showtime_id = @showtime ORDER BY seat", new { showtime });
        Assert.Equal([("C5", winner.Id), ("C6", winner.Id)], claims);
        Assert.Equal(["C5", "C6"], await connection.QueryAsync<string>("SELECT seat FROM booking_seats ORDER BY seat"));
    }

    [Fact]
    public async Task A_hundred_concurrent_single_seat_posts_fill_a_fifty_seat_hall_exactly_once()
    {
        await using var host = await LocalHostApp.StartAsync(azurite);
        var api = new ApiClient(host.Client);
        var showtime = await api.CreateShowtime(await api.LoginAsAdmin(), seatRows: 5, seatsPerRow: 10);
        var users = await TestUsers.CreateAsync(host.Services, 100);
        using var races = ApiClient.ForRaces(host.BaseAddress, 150).Http;

        var answers = await AllAtOnce(users, u => new ApiClient(races).Post("api/bookings", new { showtimeId = showtime, seatCount = 1 }, u.Token));

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, a.ToString()));
        var winners = answers.Where(a => a.Status == HttpStatusCode.Created).ToList();
        Assert.Equal(50, winners.Count);
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.Conflict), a =>
        {
            Assert.True(a.IsProblem, a.ToString());
            Assert.Equal("not_enough_seats", a.Field("code"));
        });
        var won = winners.Select(w => (Seat: Assert.Single(w.Json.GetProperty("seats").EnumerateArray()).GetString()!, BookingId: w.Id)).ToList();
        Assert.Equal(50, won.Select(w => w.Seat).Distinct().Count());

        var map = await api.SeatMap(showtime);
        Assert.Equal(50, map.Count);
        Assert.All(map.Values, status => Assert.Equal("held", status));

        await using var connection = await host.Db.OpenAsync();
        var claims = await connection.QueryAsync<(string Seat, long BookingId)>(
            "SELECT seat, booking_id FROM seat_claims WHERE booking_id IS NOT NULL AND showtime_id = @showtime", new { showtime });
        Assert.Equal(won.Order().ToArray(), claims.Order().ToArray());
        Assert.Equal(50, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM bookings WHERE status = 'PENDING'"));
        Assert.Equal(50, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM bookings"));
    }

    /// <summary>Prepares one request per user, then releases them all together and waits for every answer.</summary>
    private static async Task<ApiResponse[]> AllAtOnce(
        List<(string Token, long UserId)> users, Func<(string Token, long UserId), Task<ApiResponse>> send)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = users.Select(async u =>
        {
            await go.Task;
            return await send(u);
        }).ToList();
        go.SetResult();
        return await Task.WhenAll(requests);
    }
}
