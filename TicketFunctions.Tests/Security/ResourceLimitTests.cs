using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using TicketFunctions.Bookings;
using TicketFunctions.Common;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Tests.Security;

/// <summary>OWASP API4 (unrestricted resource consumption): page sizes, seats per booking, and seats per user and showtime.</summary>
[Collection(SecuritySuite.Name)]
public sealed class ResourceLimitTests(SecurityHost host)
{
    [Fact]
    public async Task A_pageSize_over_100_answers_400_on_every_list()
    {
        var targets = await host.NewTargets();
        var paged = HostileRequests.Functions.Where(f => f.Method.GetCustomAttribute<ApiQueryAttribute>()?.Type.IsAssignableTo(typeof(PagedQuery)) == true).Select(f => f.Name).ToHashSet();
        var lists = HostileRequests.Valid(targets).Where(r => paged.Contains(r.Function)).ToList();

        Assert.True(lists.Count >= 5, $"only {lists.Count} lists found");
        foreach (var list in lists)
        {
            foreach (var size in new[] { "101", "1000000", "0" })
            {
                var answer = await HostileRequests.SendAsync(host.App.Client, list with { Path = $"{list.Path}?pageSize={size}" });
                Assert.True(answer.Status == 400 && answer.Body.Contains("\"pageSize\"", StringComparison.Ordinal), $"{list} pageSize={size}: {answer.Status} {answer.Body}");
            }

            var largest = await HostileRequests.SendAsync(host.App.Client, list with { Path = $"{list.Path}?pageSize=100" });
            Assert.Equal(200, largest.Status);
        }
    }

    [Fact]
    public async Task More_than_10_seats_in_one_booking_answers_400()
    {
        var (token, _) = await host.NewUser();
        var showtime = await host.NewShowtime();

        using var count = await host.App.Post("api/bookings", new { showtimeId = showtime.Id, seatCount = 11 }, token);
        using var named = await host.App.Post("api/bookings", new { showtimeId = showtime.Id, seats = Enumerable.Range(1, 11).Select(n => $"A{n}").ToArray() }, token);

        Assert.Equal(HttpStatusCode.BadRequest, count.StatusCode);
        Assert.True((await count.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("seatCount", out _));
        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.True((await named.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("seats", out _));
        Assert.Equal(0, await host.Scalar<long>("SELECT count(*) FROM bookings WHERE showtime_id = @Id", new { showtime.Id }));
    }

    [Fact]
    public void The_per_user_seat_limit_is_10_unless_configured()
        => Assert.Equal(10, new BookingOptions().MaxSeatsPerUserPerShowtime);

    [Fact]
    public async Task Concurrent_bookings_by_one_user_never_hold_more_than_the_per_user_limit_of_a_showtime()
    {
        const int limit = 10;
        var (token, userId) = await host.NewUser();
        var showtime = await host.NewShowtime(seatRows: 10, seatsPerRow: 10);

        var singles = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => host.App.Post("api/bookings", new { showtimeId = showtime.Id, seatCount = 1 }, token)));
        var created = singles.Count(r => r.StatusCode == HttpStatusCode.Created);
        var refused = singles.Where(r => r.StatusCode == HttpStatusCode.Conflict).ToList();
        var codes = await Task.WhenAll(refused.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()));

        Assert.Equal(limit, created);
        Assert.Equal(16 - limit, refused.Count);
        Assert.All(codes, code => Assert.Equal("seat_limit", code));
        Assert.Equal(limit, await LiveSeats(userId, showtime.Id));

        // Cancelling frees the user's share again; concurrent triples then fill exactly what is left.
        var first = await host.Scalar<long>("SELECT min(id) FROM bookings WHERE user_id = @userId", new { userId });
        var second = await host.Scalar<long>("SELECT max(id) FROM bookings WHERE user_id = @userId", new { userId });
        foreach (var id in new[] { first, second })
        {
            using var cancelled = await host.App.Post($"api/bookings/{id}/cancel", null, token);
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }

        var pairs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => host.App.Post("api/bookings", new { showtimeId = showtime.Id, seatCount = 2 }, token)));
        Assert.Equal(1, pairs.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(limit, await LiveSeats(userId, showtime.Id));

        host.Figures.Add("seatLimit", limit);
        host.Figures.Add("seatLimitHeld", (int)await LiveSeats(userId, showtime.Id));
        host.Figures.Add("seatLimitRequests", singles.Length + pairs.Length);
        foreach (var response in singles.Concat(pairs))
        {
            response.Dispose();
        }

        Assert.Empty(await DatabaseInvariants.BrokenAsync(host.App.Db));
    }

    private Task<long> LiveSeats(long userId, long showtimeId) => host.Scalar<long>(
        "SELECT count(*) FROM seat_claims c JOIN bookings b ON b.id = c.booking_id WHERE b.user_id = @userId AND c.showtime_id = @showtimeId AND (c.expires_at IS NULL OR c.expires_at > @now)",
        new { userId, showtimeId, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
}
