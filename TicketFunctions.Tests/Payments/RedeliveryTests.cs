using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Payments;

/// <summary>
/// The processor's own guard: a payment that has left PENDING is never sent to the gateway again, whatever the
/// gateway would answer. Calls are counted at the gateway interface, because the simulated gateway's ledger (one
/// result per payment) would hide a second charge.
/// </summary>
public sealed class RedeliveryTests(Report report) : IClassFixture<Report>
{
    public static TheoryData<string> TerminalStates() =>
        ["SUCCESS", "REFUNDED booking_cancelled", "FAILED card_declined", "FAILED booking_expired", "FAILED booking_cancelled", "FAILED processing_failed"];

    [Fact]
    public async Task A_declined_payment_delivered_twice_calls_the_gateway_once()
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        var (token, userId) = await app.RegisterAndLogin();
        var paymentId = await app.StartPayment(token, await app.SeedPendingBooking(userId), SimulatedPaymentGateway.DeclinedToken);

        await app.ProcessPayment(paymentId);
        await app.ProcessPayment(paymentId);

        Assert.Equal((1, 0), (gateway.ChargeCalls, gateway.RefundCalls));
        Assert.Equal("card_declined", await app.Scalar<string>("SELECT failure_reason FROM payments WHERE id = @paymentId", new { paymentId }));
    }

    [Theory]
    [MemberData(nameof(TerminalStates))]
    public async Task A_payment_in_a_terminal_state_delivered_again_or_poisoned_calls_the_gateway_no_more(string state)
    {
        await using var app = await StartWithScriptedGateway();
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        var (token, userId) = await app.RegisterAndLogin();
        var bookingId = await app.SeedPendingBooking(userId);
        var paymentId = await app.StartPayment(token, bookingId, state == "FAILED card_declined" ? SimulatedPaymentGateway.DeclinedToken : SimulatedPaymentGateway.ApprovedToken);
        switch (state)
        {
            case "SUCCESS" or "FAILED card_declined":
                await app.ProcessPayment(paymentId);
                break;
            case "REFUNDED booking_cancelled":
                await app.ProcessPayment(paymentId);
                Assert.Equal(200, (await app.CancelBooking(token, bookingId)).Status);
                break;
            case "FAILED booking_expired":
                app.Clock.Advance(TimeSpan.FromMinutes(10));
                await app.ProcessPayment(paymentId);
                break;
            case "FAILED booking_cancelled":
                Assert.Equal(200, (await app.CancelBooking(token, bookingId)).Status);
                await app.ProcessPayment(paymentId);
                break;
            case "FAILED processing_failed":
                await app.Function<PaymentProcessingFunctions>().RunPoison($$"""{"paymentId":{{paymentId}}}""", CancellationToken.None);
                break;
        }

        var row = (await app.Rows<(string, string?)>("SELECT status, failure_reason FROM payments WHERE id = @paymentId", new { paymentId })).Single();
        Assert.Equal(state, row.Item2 is null ? row.Item1 : $"{row.Item1} {row.Item2}");
        var settled = gateway.Calls;

        await app.ProcessPayment(paymentId);
        await app.ProcessPayment(paymentId);
        await app.Function<PaymentProcessingFunctions>().RunPoison($$"""{"paymentId":{{paymentId}}}""", CancellationToken.None);

        report.Line($"{state}: gateway calls {settled} to settle, {gateway.Calls - settled} for two redeliveries and a poisoning");
        Assert.Equal(settled, gateway.Calls);
        Assert.Equal(row, (await app.Rows<(string, string?)>("SELECT status, failure_reason FROM payments WHERE id = @paymentId", new { paymentId })).Single());
    }

    private static Task<TestApp> StartWithScriptedGateway()
        => TestApp.StartAsync(configure: s => s.Replace(ServiceDescriptor.Singleton<IPaymentGateway, ScriptedGateway>()));
}
