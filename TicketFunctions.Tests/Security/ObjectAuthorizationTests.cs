using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketFunctions.Auth;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Tests.Security;

/// <summary>
/// OWASP API1 (object level) and API3 (property level): another user's bookings and payments are 404 on every route
/// that takes their id, and no body can set a role, status, owner or price.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class ObjectAuthorizationTests(SecurityHost host)
{
    // Every User route that names an object by id, and what the id is of. A new one must be added here.
    private static readonly Dictionary<string, string> ObjectRoutes = new(StringComparer.Ordinal)
    {
        ["GetBooking"] = "booking",
        ["CancelBooking"] = "booking",
        ["GetPayment"] = "payment",
    };

    [Fact]
    public async Task Every_user_route_with_an_object_id_is_known_to_this_test()
    {
        var found = HostileRequests.Functions
            .Where(f => f.Access == Access.User && f.Route.Contains("{id", StringComparison.Ordinal))
            .Select(f => f.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(ObjectRoutes.Keys.Order(StringComparer.Ordinal), found);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Another_users_booking_and_payment_are_404_on_every_route_and_stay_as_they_were()
    {
        var (alice, _) = await host.NewUser();
        var (mallory, malloryId) = await host.NewUser();
        var showtime = await host.NewShowtime();
        var booking = await host.NewBooking(alice, showtime.Id, "B2", "B3");
        var paid = await host.NewBooking(alice, showtime.Id, "B5");
        const string key = "alice-key-1";
        var payment = await Pay(alice, paid, key);
        Assert.Equal(HttpStatusCode.Accepted, payment.StatusCode);
        var paymentId = (await payment.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await SecurityHost.SettledPaymentStatus(host.App.Db, paymentId);
        var before = await Snapshot();

        var attempts = new List<(string Route, HttpResponseMessage Response)>
        {
            ("GET /api/bookings/{id}", await host.App.Get($"api/bookings/{booking}", mallory)),
            ("POST /api/bookings/{id}/cancel", await host.App.Post($"api/bookings/{booking}/cancel", null, mallory)),
            ("GET /api/payments/{id}", await host.App.Get($"api/payments/{paymentId}", mallory)),
            ("POST /api/payments {bookingId}", await host.App.Post("api/payments", new { bookingId = booking, paymentToken = "tok_visa" }, mallory)),
            ("POST /api/payments with the owner's Idempotency-Key", await Pay(mallory, paid, key)),
        };

        var refused = attempts.Count(a => a.Response.StatusCode == HttpStatusCode.NotFound
            && a.Response.Content.Headers.ContentType?.MediaType == "application/problem+json");
        host.Figures.Add("bolaRoutes", attempts.Count);
        host.Figures.Add("bola404", refused);
        foreach (var (route, response) in attempts)
        {
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.DoesNotContain("B2", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            response.Dispose();
        }

        Assert.Equal(before, await Snapshot());
        Assert.Equal(0, await host.Scalar<long>("SELECT count(*) FROM payments WHERE user_id = @malloryId", new { malloryId }));
        using var list = await host.App.Get("api/bookings?pageSize=100", mallory);
        Assert.Equal(0, (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("totalCount").GetInt64());

        async Task<string> Snapshot() => await host.Scalar<string>(
            "SELECT string_agg(CAST(id AS TEXT) || status || coalesce(CAST(cancelled_at AS TEXT), '') || CAST(total_price_cents AS TEXT), ';' ORDER BY id) FROM bookings WHERE id IN (@booking, @paid)",
            new { booking, paid }) + await host.Scalar<string>("SELECT string_agg(CAST(id AS TEXT) || status || CAST(amount_cents AS TEXT), ';' ORDER BY id) FROM payments WHERE booking_id IN (@booking, @paid)", new { booking, paid });
    }

    [Fact]
    public async Task Registering_with_a_role_is_refused_and_the_stored_user_is_never_an_admin()
    {
        foreach (var role in new object[] { "Admin", "admin", 1, new { name = "Admin" } })
        {
            using var response = await host.App.Post("api/auth/register", new { email = "climber@example.com", password = "Password-123", fullName = "Climber", role });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(0, await host.Scalar<long>("SELECT count(*) FROM users WHERE normalized_email = 'climber@example.com'"));
    }

    [Theory]
    [InlineData("userId")]
    [InlineData("status")]
    [InlineData("unitPrice")]
    [InlineData("totalPrice")]
    [InlineData("expiresAt")]
    [InlineData("id")]
    public async Task A_booking_body_cannot_set_owner_status_or_price(string field)
    {
        var (token, userId) = await host.NewUser();
        var (_, otherId) = await host.NewUser();
        var showtime = await host.NewShowtime();
        var body = new Dictionary<string, object> { ["showtimeId"] = showtime.Id, ["seats"] = new[] { "A1" } };
        body[field] = field switch
        {
            "userId" => otherId,
            "status" => "CONFIRMED",
            "expiresAt" => "2099-01-01T00:00:00Z",
            "id" => 1,
            _ => 0.01m,
        };

        using var response = await host.App.Post("api/bookings", body, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await host.Scalar<long>("SELECT count(*) FROM bookings WHERE showtime_id = @Id", new { showtime.Id }));
        using var valid = await host.App.Post("api/bookings", new { showtimeId = showtime.Id, seats = new[] { "A1" } }, token);
        var stored = await host.Scalar<string>("SELECT user_id || '/' || status || '/' || unit_price_cents || '/' || total_price_cents FROM bookings WHERE showtime_id = @Id", new { showtime.Id });
        Assert.Equal($"{userId}/PENDING/1250/1250", stored);
    }

    [Theory]
    [InlineData("status", "SUCCESS")]
    [InlineData("amount", 0.01)]
    [InlineData("userId", 1)]
    [InlineData("failureReason", null)]
    public async Task A_payment_body_cannot_set_status_amount_or_owner(string field, object? value)
    {
        var (token, _) = await host.NewUser();
        var showtime = await host.NewShowtime();
        var booking = await host.NewBooking(token, showtime.Id, "D4");
        var body = new Dictionary<string, object?> { ["bookingId"] = booking, ["paymentToken"] = "tok_visa", [field] = value };

        using var response = await host.App.Post("api/payments", body, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await host.Scalar<long>("SELECT count(*) FROM payments WHERE booking_id = @booking", new { booking }));
    }

    private async Task<HttpResponseMessage> Pay(string token, long bookingId, string key)
        => await host.App.Send(HttpMethod.Post, "api/payments", new { bookingId, paymentToken = "tok_visa" }, token, r => r.Headers.Add("Idempotency-Key", key));
}
