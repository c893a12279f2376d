using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketFunctions.Data;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Payments;

/// <summary>
/// A payment accepted with 202 keeps its booking's seats while it is processed (Payments__ProcessingHold), only while
/// it is PENDING and never past the hold's own end plus one window; money taken ends SUCCESS or REFUNDED with its
/// reason, and the gateway's ledger agrees. On the provider TEST_DATABASE_PROVIDER names, with the fake clock.
/// </summary>
public sealed class ProcessingHoldTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private static Task<TestApp> Start()
        => TestApp.StartAsync(
            new Dictionary<string, string?> { ["Payments:ProcessingHold"] = Window.ToString(), ["Bookings:HoldDuration"] = Hold.ToString() },
            s => s.Replace(ServiceDescriptor.Singleton<IPaymentGateway, ScriptedGateway>()));

    private static ScriptedGateway GatewayOf(TestApp app) => (ScriptedGateway)app.Get<IPaymentGateway>();

    /// <summary>The booking's expires_at and extended_from, and its claims' expires_at in seat order ("sold" for NULL).</summary>
    private static async Task<(long ExpiresAt, long? ExtendedFrom, string Claims)> HoldOf(TestApp app, long bookingId)
    {
        var (expiresAt, extendedFrom) = (await app.Rows<(long, long?)>("SELECT expires_at, extended_from FROM bookings WHERE id = @bookingId", new { bookingId })).Single();
        var claims = await app.Rows<long?>("SELECT expires_at FROM seat_claims WHERE booking_id = @bookingId ORDER BY seat", new { bookingId });
        return (expiresAt, extendedFrom, Claims([.. claims]));
    }

    private static string Claims(params long?[] expiries) => string.Join(",", expiries.Select(e => e?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "sold"));

    private static async Task<(string Status, string? Reason)> PaymentOf(TestApp app, long paymentId)
        => (await app.Rows<(string, string?)>("SELECT status, failure_reason FROM payments WHERE id = @paymentId", new { paymentId })).Single();

    private static async Task<long> BookThroughTheApp(TestApp app, string token, long showtimeId, params string[] seats)
    {
        var booked = await app.Book(token, showtimeId, seats);
        Assert.True(booked.Status == 201, booked.ToString());
        return booked.Json.GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Accepting_a_payment_extends_the_hold_and_its_claims_to_the_end_of_the_processing_window()
    {
        await using var app = await Start();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var bookingId = await BookThroughTheApp(app, token, showtime, "B1", "B2");
        var ownEnd = app.Clock.NowMs() + (long)Hold.TotalMilliseconds;
        app.Clock.Advance(TimeSpan.FromSeconds(9));

        await app.StartPayment(token, bookingId);

        var windowEnd = app.Clock.NowMs() + (long)Window.TotalMilliseconds;
        Assert.Equal((windowEnd, (long?)ownEnd, Claims(windowEnd, windowEnd)), await HoldOf(app, bookingId));
        var read = await app.GetBooking(token, bookingId);
        Assert.Equal(
            ("PENDING", DateTimeOffset.FromUnixTimeMilliseconds(windowEnd).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
            (read.Json.GetProperty("status").GetString(), read.Json.GetProperty("expiresAt").GetString()));
    }

    [Fact]
    public async Task A_hold_that_outlasts_the_window_is_neither_shortened_nor_marked_extended()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Payments:ProcessingHold"] = "00:01:00" });
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, ["C1"], holdFor: TimeSpan.FromMinutes(10));
        var before = await HoldOf(app, bookingId);

        await app.StartPayment(token, bookingId);

        Assert.Equal(before, await HoldOf(app, bookingId));
        Assert.Null(before.ExtendedFrom);
    }

    [Fact]
    public async Task Declined_payments_give_the_hold_back_its_own_end_so_retries_never_extend_it_past_that_end_plus_one_window()
    {
        await using var app = await Start();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var bookingId = await BookThroughTheApp(app, token, showtime, "D4");
        var ownEnd = app.Clock.NowMs() + (long)Hold.TotalMilliseconds;
        var latest = 0L;
        app.Clock.Advance(TimeSpan.FromSeconds(4));

        // A declined card, and another POST a little later, again and again until the hold's own end.
        for (var second = 5; second < 10; second++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            var paymentId = await app.StartPayment(token, bookingId, SimulatedPaymentGateway.DeclinedToken);
            latest = Math.Max(latest, (await HoldOf(app, bookingId)).ExpiresAt);
            await app.ProcessPayment(paymentId);

            Assert.Equal(("FAILED", "card_declined"), await PaymentOf(app, paymentId));
            Assert.Equal((ownEnd, (long?)null, Claims(ownEnd)), await HoldOf(app, bookingId));
        }

        Assert.True(latest <= ownEnd + (long)Window.TotalMilliseconds, $"extended to {latest}, past {ownEnd} + the window");
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var (late, _) = await app.Pay(token, bookingId);
        Assert.Equal(409, late.Status);
        Assert.Equal("booking_not_payable", late.Json.GetProperty("code").GetString());
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM gateway_charges WHERE approved = TRUE"));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task The_hold_does_not_end_under_a_slow_charge_a_rival_is_refused_the_seats_and_the_payment_confirms()
    {
        await using var app = await Start();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var (rival, _) = await app.RegisterAndLogin();
        var bookingId = await BookThroughTheApp(app, token, showtime, "E1", "E2");
        app.Clock.Advance(TimeSpan.FromSeconds(9));
        var paymentId = await app.StartPayment(token, bookingId);

        // The charge takes twenty seconds: the hold's own end passes while it runs, and a rival asks for the seats.
        TestResponse? rivalAnswer = null;
        GatewayOf(app).DuringCharge = () =>
        {
            app.Clock.Advance(TimeSpan.FromSeconds(20));
            rivalAnswer = app.Book(rival, showtime, "E2", "E3").GetAwaiter().GetResult();
        };
        await app.ProcessPayment(paymentId);

        Assert.Equal(409, rivalAnswer!.Status);
        Assert.Equal("seats_taken", rivalAnswer.Json.GetProperty("code").GetString());
        Assert.Equal(("SUCCESS", (string?)null), await PaymentOf(app, paymentId));
        Assert.Equal("CONFIRMED", await app.Scalar<string>("SELECT status FROM bookings WHERE id = @bookingId", new { bookingId }));
        Assert.Equal("sold,sold", (await HoldOf(app, bookingId)).Claims);
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM seat_claims WHERE seat = 'E3' AND booking_id IS NOT NULL"));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_charge_that_outlasts_the_window_after_another_hold_took_a_seat_is_REFUNDED_booking_expired_and_the_rival_keeps_it()
    {
        await using var app = await Start();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var (rival, _) = await app.RegisterAndLogin();
        var bookingId = await BookThroughTheApp(app, token, showtime, "A1", "A2");
        var paymentId = await app.StartPayment(token, bookingId);

        long rivalBooking = 0;
        GatewayOf(app).DuringCharge = () =>
        {
            app.Clock.Advance(Window + TimeSpan.FromSeconds(1));
            rivalBooking = BookThroughTheApp(app, rival, showtime, "A2").GetAwaiter().GetResult();
        };
        await app.ProcessPayment(paymentId);

        Assert.Equal(("REFUNDED", "booking_expired"), await PaymentOf(app, paymentId));
        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().RefundCountAsync(paymentId));
        Assert.Equal([(rivalBooking, (long?)(app.Clock.NowMs() + (long)Hold.TotalMilliseconds))],
            await app.Rows<(long, long?)>(
                "SELECT booking_id, expires_at FROM seat_claims WHERE showtime_id = @showtime AND booking_id IS NOT NULL AND (expires_at IS NULL OR expires_at > @now)",
                new { showtime, now = app.Clock.NowMs() }));
        Assert.Equal("EXPIRED", await app.Scalar<string>("SELECT status FROM bookings WHERE id = @bookingId", new { bookingId }));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_cancel_while_the_payment_is_pending_releases_the_seats_and_the_payment_fails_booking_cancelled_uncharged()
    {
        await using var app = await Start();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var bookingId = await BookThroughTheApp(app, token, showtime, "B5");
        var paymentId = await app.StartPayment(token, bookingId);

        Assert.Equal(200, (await app.CancelBooking(token, bookingId)).Status);
        await app.ProcessPayment(paymentId);

        Assert.Equal(("FAILED", "booking_cancelled"), await PaymentOf(app, paymentId));
        Assert.Equal(0, GatewayOf(app).ChargeCalls);
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL"));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_message_delivered_after_the_showtime_started_fails_showtime_started_and_is_never_charged()
    {
        await using var app = await Start();
        var (token, userId) = await app.RegisterAndLogin();
        var (showtimeId, _) = await app.SeedShowtime(startsAt: app.Clock.GetUtcNow().AddMinutes(5));
        var bookingId = await app.SeedPendingBooking(userId, ["E1"], showtimeId: showtimeId, holdFor: TimeSpan.FromMinutes(10));
        var paymentId = await app.StartPayment(token, bookingId);

        // The message comes late (an outbox resend, the host's retries): the showtime began meanwhile, the hold still runs.
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await app.ProcessPayment(paymentId);

        Assert.Equal(("FAILED", "showtime_started"), await PaymentOf(app, paymentId));
        Assert.Equal(0, GatewayOf(app).ChargeCalls);
        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM gateway_charges"));
        Assert.Equal("PENDING", await app.Scalar<string>("SELECT status FROM bookings WHERE id = @bookingId", new { bookingId }));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_showtime_that_starts_during_the_charge_refunds_it_showtime_started_and_gives_the_hold_back()
    {
        await using var app = await Start();
        var (token, userId) = await app.RegisterAndLogin();
        var (showtimeId, _) = await app.SeedShowtime(startsAt: app.Clock.GetUtcNow().AddSeconds(20));
        var bookingId = await app.SeedPendingBooking(userId, ["E2"], showtimeId: showtimeId, holdFor: TimeSpan.FromSeconds(10));
        var ownEnd = (await HoldOf(app, bookingId)).ExpiresAt;
        var paymentId = await app.StartPayment(token, bookingId);
        GatewayOf(app).DuringCharge = () => app.Clock.Advance(TimeSpan.FromSeconds(20));

        await app.ProcessPayment(paymentId);

        Assert.Equal(("REFUNDED", "showtime_started"), await PaymentOf(app, paymentId));
        Assert.Equal((ownEnd, (long?)null, Claims(ownEnd)), await HoldOf(app, bookingId));
        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().RefundCountAsync(paymentId));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task The_confirmation_statement_itself_refuses_a_showtime_that_has_started()
    {
        // The processor checks the start before charging; this is the statement's own check, with nothing before it.
        await using var app = await TestApp.StartAsync();
        var (_, userId) = await app.RegisterAndLogin();
        var (showtimeId, _) = await app.SeedShowtime(startsAt: app.Clock.GetUtcNow().AddMinutes(1));
        var bookingId = await app.SeedPendingBooking(userId, ["E3"], showtimeId: showtimeId);
        var startsAt = app.Clock.GetUtcNow().AddMinutes(1).ToUnixTimeMilliseconds();
        await using var connection = await app.Db.OpenAsync();
        var confirm = Sql.Load("payments/confirm_booking");

        Assert.Equal(0, await connection.ExecuteAsync(confirm, new { BookingId = bookingId, Now = startsAt }));
        Assert.Equal("PENDING", await app.Scalar<string>("SELECT status FROM bookings WHERE id = @bookingId", new { bookingId }));
        Assert.Equal(1, await connection.ExecuteAsync(confirm, new { BookingId = bookingId, Now = startsAt - 1 }));
    }

    [Fact]
    public async Task A_poisoned_payment_that_an_earlier_delivery_charged_reads_REFUNDED_processing_failed_and_gives_the_hold_back()
    {
        await using var app = await Start();
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var bookingId = await BookThroughTheApp(app, token, showtime, "C7");
        var ownEnd = (await HoldOf(app, bookingId)).ExpiresAt;
        var paymentId = await app.StartPayment(token, bookingId);
        await app.Get<SimulatedPaymentGateway>().ChargeAsync(new ChargeRequest(paymentId, "tok_visa", 1250), CancellationToken.None);

        await app.Function<PaymentProcessingFunctions>().RunPoison($$"""{"PaymentId":{{paymentId}}}""", CancellationToken.None);

        Assert.Equal(("REFUNDED", "processing_failed"), await PaymentOf(app, paymentId));
        Assert.Equal((ownEnd, (long?)null, Claims(ownEnd)), await HoldOf(app, bookingId));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    [Fact]
    public async Task A_hold_that_ended_between_the_read_and_the_extension_is_refused_and_nothing_is_written()
    {
        // The extension's own condition, with no check before it: a booking whose stored hold has ended is not extended.
        await using var app = await TestApp.StartAsync();
        var (_, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, ["D1", "D2"], holdFor: TimeSpan.FromSeconds(10));
        var end = app.Clock.NowMs() + 10_000;
        await using var connection = await app.Db.OpenAsync();
        var window = new { BookingId = bookingId, Now = end, ProcessingEndsAt = end + 60_000 };

        Assert.Equal(0, await connection.ExecuteAsync(Sql.Load("payments/extend_claims"), window));
        Assert.Equal(0, await connection.ExecuteAsync(Sql.Load("payments/extend_hold"), window));
        Assert.Equal((end, (long?)null, Claims(end, end)), await HoldOf(app, bookingId));
    }
}
