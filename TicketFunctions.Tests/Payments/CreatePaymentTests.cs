using System.Text.Json;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Payments;

public sealed class CreatePaymentTests
{
    [Fact]
    public async Task Paying_a_pending_booking_answers_202_with_the_payment_its_location_and_one_queue_message()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, ["A1", "A2"], unitPriceCents: 1250);

        var (response, message) = await app.Pay(token, bookingId);

        Assert.Equal(202, response.Status);
        Assert.StartsWith("application/json", response.ContentType, StringComparison.Ordinal);
        var id = response.Json.GetProperty("id").GetInt64();
        Assert.Equal($"/api/payments/{id}", response.Headers.Location.ToString());
        Assert.Equal(bookingId, response.Json.GetProperty("bookingId").GetInt64());
        Assert.Equal("25.00", response.Json.GetProperty("amount").GetRawText());
        Assert.Equal("PENDING", response.Json.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("failureReason").ValueKind);
        Assert.Equal("2026-11-25T12:00:00Z", response.Json.GetProperty("createdAt").GetString());
        Assert.Equal(JsonValueKind.Null, response.Json.GetProperty("processedAt").ValueKind);
        Assert.Equal(new PaymentMessage(id), message);
        Assert.Equal(2500, await app.Scalar<long>("SELECT amount_cents FROM payments WHERE id = @id AND status = 'PENDING' AND payment_token = 'tok_visa'", new { id }));
    }

    [Fact]
    public async Task Paying_another_users_booking_answers_404_even_for_an_admin_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var (_, ownerId) = await app.RegisterAndLogin();
        var (otherToken, _) = await app.RegisterAndLogin();
        var (adminToken, _) = await app.LoginAsAdmin();
        var bookingId = await app.SeedPendingBooking(ownerId);

        foreach (var token in new[] { otherToken, adminToken })
        {
            var (response, message) = await app.Pay(token, bookingId);
            Assert.Equal(404, response.Status);
            Assert.True(response.IsProblem);
            Assert.Null(message);
        }

        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }

    [Fact]
    public async Task Paying_an_unknown_booking_answers_404()
    {
        await using var app = await TestApp.StartAsync();
        var (token, _) = await app.RegisterAndLogin();

        var (response, message) = await app.Pay(token, 999);

        Assert.Equal(404, response.Status);
        Assert.Null(message);
    }

    [Fact]
    public async Task An_idempotency_key_over_100_characters_answers_400()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);

        var (tooLong, _) = await app.Pay(token, bookingId, idempotencyKey: new string('k', 101));
        var (longest, _) = await app.Pay(token, bookingId, idempotencyKey: new string('k', 100));

        Assert.Equal(400, tooLong.Status);
        Assert.Equal(202, longest.Status);
    }

    [Theory]
    [InlineData("CONFIRMED")]
    [InlineData("CANCELLED")]
    [InlineData("EXPIRED")]
    public async Task Paying_a_booking_that_is_not_pending_answers_409(string status)
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var (showtimeId, _) = await app.SeedShowtime();
        var now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var bookingId = await app.SeedBooking(userId, showtimeId, ["B1"], 1000, status, now, now + 600_000, status == "CONFIRMED" ? now : null);

        var (response, message) = await app.Pay(token, bookingId);

        Assert.Equal(409, response.Status);
        Assert.Equal("booking_not_payable", response.Json.GetProperty("code").GetString());
        Assert.Equal(status, response.Json.GetProperty("bookingStatus").GetString());
        Assert.Null(message);
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }

    [Fact]
    public async Task Paying_a_pending_booking_whose_hold_has_ended_answers_409_expired()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, holdFor: TimeSpan.FromMinutes(10));
        app.Clock.Advance(TimeSpan.FromMinutes(10));

        var (response, message) = await app.Pay(token, bookingId);

        Assert.Equal(409, response.Status);
        Assert.Equal("booking_not_payable", response.Json.GetProperty("code").GetString());
        Assert.Equal("EXPIRED", response.Json.GetProperty("bookingStatus").GetString());
        Assert.Null(message);
    }

    [Fact]
    public async Task Paying_a_hold_that_outlasts_the_start_of_its_showtime_answers_409_showtime_started()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var (showtimeId, _) = await app.SeedShowtime(startsAt: app.Clock.GetUtcNow().AddMinutes(5));
        var bookingId = await app.SeedPendingBooking(userId, showtimeId: showtimeId, holdFor: TimeSpan.FromMinutes(10));
        app.Clock.Advance(TimeSpan.FromMinutes(6));

        var (response, message) = await app.Pay(token, bookingId);

        Assert.Equal(409, response.Status);
        Assert.Equal("showtime_started", response.Json.GetProperty("code").GetString());
        Assert.Null(message);
        Assert.Equal(0L, await app.DbScalar<long>("SELECT count(*) FROM payments"));
    }

    [Theory]
    [InlineData("PENDING")]
    [InlineData("SUCCESS")]
    public async Task Paying_a_booking_with_a_live_payment_answers_409(string liveStatus)
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var first = await app.StartPayment(token, bookingId);
        if (liveStatus == "SUCCESS")
        {
            // Leave the booking PENDING so that only the live payment stands in the way.
            await app.Scalar<long>("UPDATE payments SET status = 'SUCCESS', processed_at = 1 WHERE id = @first", new { first });
        }

        var (response, message) = await app.Pay(token, bookingId, "tok_chargeDeclined");

        Assert.Equal(409, response.Status);
        Assert.Equal("payment_exists", response.Json.GetProperty("code").GetString());
        Assert.Null(message);
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }

    [Fact]
    public async Task A_booking_whose_payment_failed_can_be_paid_again()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var declined = await app.StartPayment(token, bookingId, "tok_chargeDeclined");
        await app.ProcessPayment(declined);

        var (response, message) = await app.Pay(token, bookingId);

        Assert.Equal(202, response.Status);
        Assert.NotNull(message);
        Assert.NotEqual(declined, message.PaymentId);
    }

    [Fact]
    public async Task The_same_idempotency_key_and_body_replays_the_first_answer_without_a_second_payment_or_message()
    {
        await using var app = await TestApp.StartAsync();
        const string email = "replay@example.com";
        var (token, userId) = await app.RegisterAndLogin(email);
        var bookingId = await app.SeedPendingBooking(userId);

        var (first, firstMessage) = await app.Pay(token, bookingId, idempotencyKey: "order-42");
        await app.ProcessPayment(firstMessage!.PaymentId);
        app.Clock.Advance(TimeSpan.FromHours(23));
        (token, _) = await app.Login(email, "Password-123");
        var (again, againMessage) = await app.Pay(token, bookingId, idempotencyKey: "order-42",
            body: $$"""{ "paymentToken": "tok_visa",  "bookingId": {{bookingId}} }""");

        Assert.Equal(202, again.Status);
        Assert.Equal(first.Body, again.Body);
        Assert.Equal(first.Headers.Location.ToString(), again.Headers.Location.ToString());
        Assert.Equal(first.ContentType, again.ContentType);
        Assert.NotNull(firstMessage);
        Assert.Null(againMessage);
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_answers_409()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        await app.Pay(token, bookingId, idempotencyKey: "order-42");

        var (response, message) = await app.Pay(token, bookingId, "tok_chargeDeclined", idempotencyKey: "order-42");

        Assert.Equal(409, response.Status);
        Assert.Equal("idempotency_key_reused", response.Json.GetProperty("code").GetString());
        Assert.Null(message);
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }

    [Fact]
    public async Task Idempotency_keys_belong_to_one_user()
    {
        await using var app = await TestApp.StartAsync();
        var (token1, user1) = await app.RegisterAndLogin();
        var (token2, user2) = await app.RegisterAndLogin();
        var booking1 = await app.SeedPendingBooking(user1);
        var booking2 = await app.SeedPendingBooking(user2);

        var (first, _) = await app.Pay(token1, booking1, idempotencyKey: "same-key");
        var (second, message) = await app.Pay(token2, booking2, idempotencyKey: "same-key");

        Assert.Equal(202, first.Status);
        Assert.Equal(202, second.Status);
        Assert.NotNull(message);
        Assert.Equal(2, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }

    [Fact]
    public async Task An_idempotency_key_older_than_24_hours_may_be_used_again()
    {
        await using var app = await TestApp.StartAsync();
        const string email = "reuse@example.com";
        var (token, userId) = await app.RegisterAndLogin(email);
        var oldBooking = await app.SeedPendingBooking(userId);
        await app.Pay(token, oldBooking, idempotencyKey: "reused");
        app.Clock.Advance(TimeSpan.FromHours(24));
        (token, _) = await app.Login(email, "Password-123");
        var newBooking = await app.SeedPendingBooking(userId);

        var (response, message) = await app.Pay(token, newBooking, idempotencyKey: "reused");

        Assert.Equal(202, response.Status);
        Assert.Equal(newBooking, response.Json.GetProperty("bookingId").GetInt64());
        Assert.NotNull(message);
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM idempotency_keys"));
    }

    [Fact]
    public async Task A_failed_request_does_not_claim_its_idempotency_key()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        await app.Scalar<long>("UPDATE bookings SET status = 'CANCELLED', cancelled_at = 1 WHERE id = @bookingId", new { bookingId });

        var (conflict, _) = await app.Pay(token, bookingId, idempotencyKey: "k1");

        Assert.Equal(409, conflict.Status);
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM idempotency_keys"));
    }

    [Fact]
    public async Task Concurrent_duplicates_with_one_idempotency_key_create_one_payment_and_one_message()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => app.Pay(token, bookingId, idempotencyKey: "burst"))));

        Assert.All(results, r => Assert.Equal(202, r.Response.Status));
        Assert.Single(results.Select(r => r.Response.Body).Distinct());
        Assert.Single(results, r => r.Message is not null);
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }

    [Fact]
    public async Task Concurrent_payments_without_a_key_create_one_payment_and_answer_409_to_the_rest()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => app.Pay(token, bookingId))));

        Assert.Single(results, r => r.Response.Status == 202);
        Assert.All(results.Where(r => r.Response.Status != 202), r => Assert.Equal(409, r.Response.Status));
        Assert.Equal(1, await app.Scalar<long>("SELECT count(*) FROM payments"));
    }
}
