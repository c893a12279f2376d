using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Payments;

public sealed class ProcessPaymentTests
{
    private static Task<TestApp> StartWithScriptedGateway()
        => TestApp.StartAsync(configure: s => s.Replace(ServiceDescriptor.Singleton<IPaymentGateway, ScriptedGateway>()));

    private sealed record PaymentRow(string Status, string? FailureReason, long? ProcessedAt, string? GatewayReference);

    private static async Task<PaymentRow> Payment(TestApp app, long id)
        => (await app.Rows<PaymentRow>(
            "SELECT status AS Status, failure_reason AS FailureReason, processed_at AS ProcessedAt, gateway_reference AS GatewayReference FROM payments WHERE id = @id",
            new { id })).Single();

    private static async Task<(string Status, long? ConfirmedAt)> Booking(TestApp app, long id)
    {
        var row = (await app.Rows<(string, long?)>("SELECT status, confirmed_at FROM bookings WHERE id = @id", new { id })).Single();
        return row;
    }

    private static Task<List<long?>> ClaimExpiries(TestApp app, long bookingId)
        => app.Rows<long?>("SELECT expires_at FROM seat_claims WHERE booking_id = @bookingId ORDER BY seat", new { bookingId });

    [Fact]
    public async Task An_approved_charge_marks_the_payment_SUCCESS_confirms_the_booking_and_sells_its_seats()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, ["C3", "C4"]);
        var paymentId = await app.StartPayment(token, bookingId);
        app.Clock.Advance(TimeSpan.FromSeconds(5));

        await app.ProcessPayment(paymentId);

        var payment = await Payment(app, paymentId);
        Assert.Equal("SUCCESS", payment.Status);
        Assert.Null(payment.FailureReason);
        Assert.Equal(app.Clock.NowMs(), payment.ProcessedAt);
        Assert.StartsWith("sim_ch_", payment.GatewayReference, StringComparison.Ordinal);
        Assert.Equal(("CONFIRMED", app.Clock.NowMs()), await Booking(app, bookingId));
        var claims = await ClaimExpiries(app, bookingId);
        Assert.Equal(2, claims.Count);
        Assert.All(claims, e => Assert.Null(e));
        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));

        var read = await app.Invoke<PaymentFunctions>(nameof(PaymentFunctions.Get), app.Request("GET", $"/api/payments/{paymentId}", token: token), (f, r) => f.Get(r, paymentId));
        Assert.Equal(200, read.Status);
        Assert.Equal("SUCCESS", read.Json.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T12:00:05Z", read.Json.GetProperty("processedAt").GetString());
    }

    [Fact]
    public async Task A_declined_charge_fails_the_payment_with_the_gateways_reason_and_keeps_the_hold()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId, SimulatedPaymentGateway.DeclinedToken);
        var expiries = await ClaimExpiries(app, bookingId);

        await app.ProcessPayment(paymentId);

        var payment = await Payment(app, paymentId);
        Assert.Equal("FAILED", payment.Status);
        Assert.Equal("card_declined", payment.FailureReason);
        Assert.NotNull(payment.ProcessedAt);
        Assert.Equal(("PENDING", (long?)null), await Booking(app, bookingId));
        Assert.Equal(expiries, await ClaimExpiries(app, bookingId));
        Assert.All(expiries, e => Assert.NotNull(e));
        Assert.Equal(0, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));
    }

    [Fact]
    public async Task An_unknown_token_declines_with_invalid_token()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var paymentId = await app.StartPayment(token, await app.SeedPendingBooking(userId), "tok_unknown");

        await app.ProcessPayment(paymentId);

        var payment = await Payment(app, paymentId);
        Assert.Equal(("FAILED", "invalid_token"), (payment.Status, payment.FailureReason));
    }

    [Fact]
    public async Task A_decline_reason_the_app_does_not_list_is_recorded_as_card_declined()
    {
        await using var app = await StartWithScriptedGateway();
        ((ScriptedGateway)app.Get<IPaymentGateway>()).DeclineWith = "insufficient_funds";
        var (token, userId) = await app.RegisterAndLogin();
        var paymentId = await app.StartPayment(token, await app.SeedPendingBooking(userId));

        await app.ProcessPayment(paymentId);

        var payment = await Payment(app, paymentId);
        Assert.Equal(("FAILED", "card_declined"), (payment.Status, payment.FailureReason));
    }

    [Fact]
    public async Task A_payment_whose_hold_ended_before_processing_fails_booking_expired_and_is_never_charged()
    {
        await using var app = await StartWithScriptedGateway();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, holdFor: TimeSpan.FromMinutes(10));
        var paymentId = await app.StartPayment(token, bookingId);
        app.Clock.Advance(TimeSpan.FromMinutes(10));

        await app.ProcessPayment(paymentId);

        var payment = await Payment(app, paymentId);
        Assert.Equal(("FAILED", "booking_expired"), (payment.Status, payment.FailureReason));
        Assert.Equal(0, ((ScriptedGateway)app.Get<IPaymentGateway>()).ChargeCalls);
        Assert.Equal(0, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));
        Assert.Equal("PENDING", (await Booking(app, bookingId)).Status);
    }

    [Fact]
    public async Task A_payment_whose_booking_was_cancelled_fails_booking_cancelled_and_is_never_charged()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);
        await app.Scalar<long>("UPDATE bookings SET status = 'CANCELLED', cancelled_at = 1 WHERE id = @bookingId", new { bookingId });

        await app.ProcessPayment(paymentId);

        Assert.Equal("booking_cancelled", (await Payment(app, paymentId)).FailureReason);
        Assert.Equal(0, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));
    }

    [Fact]
    public async Task A_booking_cancelled_during_the_charge_refunds_the_charge_and_the_payment_reads_REFUNDED_booking_cancelled()
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);
        gateway.DuringCharge = () => Assert.Equal(200, app.CancelBooking(token, bookingId).GetAwaiter().GetResult().Status);

        await app.ProcessPayment(paymentId);

        var payment = await Payment(app, paymentId);
        Assert.Equal(("REFUNDED", "booking_cancelled"), (payment.Status, payment.FailureReason));
        Assert.Equal("CANCELLED", (await Booking(app, bookingId)).Status);
        Assert.Empty(await ClaimExpiries(app, bookingId));
        var ledger = app.Get<SimulatedPaymentGateway>();
        Assert.Equal((1L, 1L), (await ledger.ChargeCountAsync(paymentId), await ledger.RefundCountAsync(paymentId)));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_message_delivered_twice_charges_once_and_changes_nothing_the_second_time()
    {
        await using var app = await StartWithScriptedGateway();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);
        await app.ProcessPayment(paymentId);
        var payment = await Payment(app, paymentId);
        var booking = await Booking(app, bookingId);
        app.Clock.Advance(TimeSpan.FromSeconds(30));

        await app.ProcessPayment(paymentId);

        Assert.Equal(payment, await Payment(app, paymentId));
        Assert.Equal(booking, await Booking(app, bookingId));
        Assert.Equal(1, ((ScriptedGateway)app.Get<IPaymentGateway>()).ChargeCalls);
        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_message_charge_once_and_confirm_once()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => app.ProcessPayment(paymentId))));

        Assert.Equal("SUCCESS", (await Payment(app, paymentId)).Status);
        Assert.Equal("CONFIRMED", (await Booking(app, bookingId)).Status);
        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));
        Assert.Equal(0, await app.Get<SimulatedPaymentGateway>().RefundCountAsync(paymentId));
    }

    [Fact]
    public async Task A_transient_gateway_failure_propagates_and_the_retry_charges_once()
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        gateway.FailFirstCharges = 1;
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => app.ProcessPayment(paymentId));
        Assert.Equal("PENDING", (await Payment(app, paymentId)).Status);
        await app.ProcessPayment(paymentId);

        Assert.Equal("SUCCESS", (await Payment(app, paymentId)).Status);
        Assert.Equal("CONFIRMED", (await Booking(app, bookingId)).Status);
        Assert.Equal(2, gateway.ChargeCalls);
        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));
    }

    [Fact]
    public async Task The_processing_error_token_throws_every_time_and_leaves_the_payment_pending()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var paymentId = await app.StartPayment(token, await app.SeedPendingBooking(userId), SimulatedPaymentGateway.ProcessingErrorToken);

        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => app.ProcessPayment(paymentId));
        await Assert.ThrowsAsync<PaymentGatewayUnavailableException>(() => app.ProcessPayment(paymentId));

        Assert.Equal("PENDING", (await Payment(app, paymentId)).Status);
        Assert.Equal(0, await app.Get<SimulatedPaymentGateway>().ChargeCountAsync(paymentId));
    }

    [Fact]
    public async Task A_hold_that_ends_during_the_charge_is_still_confirmed_while_no_other_hold_took_its_seats()
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        gateway.DuringCharge = () => app.Clock.Advance(TimeSpan.FromMinutes(30));
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, holdFor: TimeSpan.FromMinutes(10));
        var paymentId = await app.StartPayment(token, bookingId);

        await app.ProcessPayment(paymentId);

        Assert.Equal(("SUCCESS", (string?)null), ((await Payment(app, paymentId)).Status, (await Payment(app, paymentId)).FailureReason));
        Assert.Equal("CONFIRMED", (await Booking(app, bookingId)).Status);
        Assert.All(await ClaimExpiries(app, bookingId), e => Assert.Null(e));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_charge_whose_confirmation_was_lost_is_refunded_when_the_redelivery_finds_the_hold_ended_and_reads_REFUNDED()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, holdFor: TimeSpan.FromMinutes(10));
        var paymentId = await app.StartPayment(token, bookingId);
        var ledger = app.Get<SimulatedPaymentGateway>();
        // The first delivery charged, then the process died before the confirming transaction.
        await ledger.ChargeAsync(new ChargeRequest(paymentId, "tok_visa", 2500), CancellationToken.None);
        app.Clock.Advance(TimeSpan.FromMinutes(11));

        await app.ProcessPayment(paymentId);
        await app.ProcessPayment(paymentId);

        Assert.Equal(("REFUNDED", "booking_expired"), ((await Payment(app, paymentId)).Status, (await Payment(app, paymentId)).FailureReason));
        Assert.Equal(1, await ledger.ChargeCountAsync(paymentId));
        Assert.Equal(1, await ledger.RefundCountAsync(paymentId));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_message_for_an_unknown_payment_is_dropped()
    {
        await using var app = await TestApp.StartAsync();

        await app.ProcessPayment(12345);

        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM gateway_charges"));
    }
}
