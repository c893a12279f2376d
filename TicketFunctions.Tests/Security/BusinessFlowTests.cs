using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketFunctions.Tests.Security;

/// <summary>OWASP API6 (sensitive business flows): a paid ticket cannot be refunded once its showtime has started.</summary>
[Collection(SecuritySuite.Name)]
public sealed class BusinessFlowTests(SecurityHost host)
{
    [Fact]
    public async Task A_user_cannot_cancel_for_a_refund_once_the_showtime_has_started_but_an_admin_can()
    {
        var (token, _) = await host.NewUser();
        var showtime = await host.NewShowtime();
        var watched = await host.NewBooking(token, showtime.Id, "A5", "A6");
        var payment = await host.NewPayment(token, watched);
        Assert.Equal("SUCCESS", await SecurityHost.SettledPaymentStatus(host.App.Db, payment));
        var pending = await host.NewBooking(token, showtime.Id, "A8");

        // The show begins (half an hour ago, as far as the database knows).
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var connection = await host.App.Db.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE showtimes SET starts_at = @start, ends_at = @end WHERE id = @Id",
                new { start = now - 1_800_000, end = now + 3_600_000, showtime.Id });
        }

        foreach (var booking in new[] { watched, pending })
        {
            using var cancel = await host.App.Post($"api/bookings/{booking}/cancel", null, token);
            Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
            Assert.Equal("showtime_started", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        Assert.Equal("CONFIRMED", await host.Scalar<string>("SELECT status FROM bookings WHERE id = @watched", new { watched }));
        Assert.Equal("SUCCESS", await host.Scalar<string>("SELECT status FROM payments WHERE id = @payment", new { payment }));
        Assert.Equal(2, await host.Scalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id = @watched AND expires_at IS NULL", new { watched }));

        // A cancelled screening is the theatre's call: an admin may still cancel and refund.
        using var byAdmin = await host.App.Post($"api/bookings/{watched}/cancel", null, host.AdminToken);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal("REFUNDED", await host.Scalar<string>("SELECT status FROM payments WHERE id = @payment", new { payment }));
        Assert.Empty(await DatabaseInvariants.BrokenAsync(host.App.Db));
    }
}
