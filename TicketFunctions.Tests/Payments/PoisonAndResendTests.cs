using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Payments;

public sealed class PoisonAndResendTests
{
    private static Task Poison(TestApp app, string message)
        => app.Function<PaymentProcessingFunctions>().RunPoison(message, CancellationToken.None);

    [Fact]
    public async Task A_poisoned_message_marks_its_pending_payment_FAILED_processing_failed()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId, SimulatedPaymentGateway.ProcessingErrorToken);

        await Poison(app, $$"""{"paymentId":{{paymentId}}}""");

        Assert.Equal(
            ("FAILED", "processing_failed"),
            (await app.Rows<(string, string)>("SELECT status, failure_reason FROM payments WHERE id = @paymentId", new { paymentId })).Single());
        Assert.Equal("PENDING", await app.Scalar<string>("SELECT status FROM bookings WHERE id = @bookingId", new { bookingId }));
    }

    [Fact]
    public async Task A_poisoned_payment_that_the_gateway_had_charged_is_refunded()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var paymentId = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        var ledger = app.Get<SimulatedPaymentGateway>();
        await ledger.ChargeAsync(new ChargeRequest(paymentId, "tok_visa", 2500), CancellationToken.None);

        await Poison(app, $$"""{"paymentId":{{paymentId}}}""");
        await Poison(app, $$"""{"paymentId":{{paymentId}}}""");

        Assert.Equal("processing_failed", await app.Scalar<string>("SELECT failure_reason FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Equal(1, await ledger.RefundCountAsync(paymentId));
    }

    [Fact]
    public async Task A_poisoned_message_leaves_a_successful_payment_alone()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);
        await app.ProcessPayment(paymentId);

        await Poison(app, $$"""{"paymentId":{{paymentId}}}""");

        Assert.Equal("SUCCESS", await app.Scalar<string>("SELECT status FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Equal("CONFIRMED", await app.Scalar<string>("SELECT status FROM bookings WHERE id = @bookingId", new { bookingId }));
        Assert.Equal(0, await app.Get<SimulatedPaymentGateway>().RefundCountAsync(paymentId));
    }

    [Fact]
    public async Task A_poisoned_message_leaves_a_declined_payment_with_its_reason()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var paymentId = await app.StartPayment(token, await app.SeedPendingBooking(userId), SimulatedPaymentGateway.DeclinedToken);
        await app.ProcessPayment(paymentId);

        await Poison(app, $$"""{"paymentId":{{paymentId}}}""");

        Assert.Equal("card_declined", await app.Scalar<string>("SELECT failure_reason FROM payments WHERE id = @paymentId", new { paymentId }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"paymentId\":")]
    [InlineData("{\"paymentId\":\"abc\"}")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    [InlineData("{\"paymentId\":999999}")]
    public async Task A_poisoned_message_that_is_not_a_valid_payment_message_is_dropped(string message)
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var paymentId = await app.StartPayment(token, await app.SeedPendingBooking(userId));

        await Poison(app, message);

        Assert.Equal("PENDING", await app.Scalar<string>("SELECT status FROM payments WHERE id = @paymentId", new { paymentId }));
    }

    [Fact]
    public async Task The_resender_selects_only_pending_payments_older_than_a_minute()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var old = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        var oldDeclined = await app.StartPayment(token, await app.SeedPendingBooking(userId), SimulatedPaymentGateway.DeclinedToken);
        await app.ProcessPayment(oldDeclined);
        var oldPaid = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        await app.ProcessPayment(oldPaid);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var exactlyAMinute = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        var recent = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        app.Clock.Advance(TimeSpan.FromMilliseconds(30_001));

        var stale = await app.Get<PendingPaymentResender>().FindStaleAsync(CancellationToken.None);

        Assert.Equal([old, exactlyAMinute], stale.Select(m => m.PaymentId));
        Assert.DoesNotContain(recent, stale.Select(m => m.PaymentId));
    }

    [Fact]
    public async Task The_outbox_timer_writes_each_stale_pending_payment_again_as_the_worker_writes_a_payment_message()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var stale = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        var paid = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        await app.ProcessPayment(paid);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var recent = await app.StartPayment(token, await app.SeedPendingBooking(userId));

        var messages = await app.Function<PaymentOutboxFunctions>().ResendPending(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        Assert.Equal([$"{{\"PaymentId\":{stale}}}"], messages);
        Assert.NotEqual(recent, stale);
    }
}
