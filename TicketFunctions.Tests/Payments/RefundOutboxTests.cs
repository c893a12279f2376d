using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Payments;

/// <summary>
/// Refunds are an outbox: recorded as owed in the transaction that needs them, made after the commit, finished by
/// the refund sweep when the process died (or the gateway failed) in between.
/// </summary>
public sealed class RefundOutboxTests(Report report) : IClassFixture<Report>
{
    private static Task<TestApp> StartWithScriptedGateway()
        => TestApp.StartAsync(configure: s => s.Replace(ServiceDescriptor.Singleton<IPaymentGateway, ScriptedGateway>()));

    [Fact]
    public async Task A_cancel_whose_refund_call_dies_after_the_commit_is_refunded_once_by_the_sweep()
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        var ledger = app.Get<SimulatedPaymentGateway>();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);
        await app.ProcessPayment(paymentId);

        // The process "dies" between the commit and the gateway's refund: the call never reaches the gateway.
        gateway.FailRefunds = true;
        var cancelled = await app.CancelBooking(token, bookingId);

        Assert.Equal(200, cancelled.Status);
        Assert.Equal("CANCELLED", cancelled.Json.GetProperty("status").GetString());
        Assert.Equal("REFUNDED", await app.Scalar<string>("SELECT status FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Equal(0, await ledger.RefundCountAsync(paymentId));

        // Before the attempt's time is up the sweep leaves it alone; then it finishes it, once.
        gateway.FailRefunds = false;
        var sweep = app.Get<RefundSweep>();
        Assert.Equal(0, await sweep.RunAsync(CancellationToken.None));
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var refunded = await sweep.RunAsync(CancellationToken.None);
        var again = await sweep.RunAsync(CancellationToken.None);

        Assert.Equal((1, 0), (refunded, again));
        Assert.Equal("REFUNDED", await app.Scalar<string>("SELECT status FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Null(await app.Scalar<long?>("SELECT refund_due_at FROM payments WHERE id = @paymentId", new { paymentId }));
        Assert.Equal(1, await ledger.RefundCountAsync(paymentId));
        report.Line($"crash-safe refund: cancel answered 200 with the refund call failing; sweep runs made {refunded} then {again} refund(s); ledger refunds {await ledger.RefundCountAsync(paymentId)}; gateway refund calls {gateway.RefundCalls}");
    }

    [Fact]
    public async Task A_cancel_refunds_right_after_the_commit_and_leaves_nothing_owed()
    {
        await using var app = await StartWithScriptedGateway();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId);
        await app.ProcessPayment(paymentId);

        Assert.Equal(200, (await app.CancelBooking(token, bookingId)).Status);

        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().RefundCountAsync(paymentId));
        Assert.Null(await app.Scalar<long?>("SELECT refund_due_at FROM payments WHERE id = @paymentId", new { paymentId }));
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await app.Get<RefundSweep>().RunAsync(CancellationToken.None));
        Assert.Equal(1, ((ScriptedGateway)app.Get<IPaymentGateway>()).RefundCalls);
    }

    [Fact]
    public async Task Two_sweeps_at_once_call_the_gateway_once_per_owed_refund()
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        var ledger = app.Get<SimulatedPaymentGateway>();
        var (token, userId) = await app.RegisterAndLogin();
        var paymentIds = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            var bookingId = await app.SeedPendingBooking(userId, seats: ["A1"]);
            var paymentId = await app.StartPayment(token, bookingId);
            await app.ProcessPayment(paymentId);
            paymentIds.Add(paymentId);
        }

        gateway.FailRefunds = true;
        foreach (var id in paymentIds)
        {
            var bookingId = await app.Scalar<long>("SELECT booking_id FROM payments WHERE id = @id", new { id });
            Assert.Equal(200, (await app.CancelBooking(token, bookingId)).Status);
        }

        gateway.FailRefunds = false;
        var callsBefore = gateway.RefundCalls;
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        gateway.DuringRefund = () => Thread.Sleep(5);
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => app.Get<RefundSweep>().RunAsync(CancellationToken.None))));

        var calls = gateway.RefundCalls - callsBefore;
        report.Line($"two concurrent refund sweeps over 20 owed refunds: runs made {runs[0]} + {runs[1]}; gateway refund calls {calls}");
        Assert.Equal(20, runs.Sum());
        Assert.Equal(20, calls);
        foreach (var id in paymentIds)
        {
            Assert.Equal(1, await ledger.RefundCountAsync(id));
        }

        Assert.Equal(0, await app.Scalar<long>("SELECT count(*) FROM payments WHERE refund_due_at IS NOT NULL"));
    }

    [Fact]
    public async Task A_charge_that_could_not_be_kept_reads_REFUNDED_at_once_and_is_refunded_by_the_sweep_when_the_refund_call_fails()
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId, holdFor: TimeSpan.FromMinutes(10));
        var paymentId = await app.StartPayment(token, bookingId);
        gateway.DuringCharge = () => Assert.Equal(200, app.CancelBooking(token, bookingId).GetAwaiter().GetResult().Status);
        gateway.FailRefunds = true;

        await app.ProcessPayment(paymentId);

        Assert.Equal(("REFUNDED", "booking_cancelled"), (await app.Rows<(string, string)>("SELECT status, failure_reason FROM payments WHERE id = @paymentId", new { paymentId })).Single());
        var ledger = app.Get<SimulatedPaymentGateway>();
        Assert.Equal(0, await ledger.RefundCountAsync(paymentId));
        gateway.FailRefunds = false;
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await app.Get<RefundSweep>().RunAsync(CancellationToken.None));
        Assert.Equal((1L, 1L), (await ledger.ChargeCountAsync(paymentId), await ledger.RefundCountAsync(paymentId)));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }
}
