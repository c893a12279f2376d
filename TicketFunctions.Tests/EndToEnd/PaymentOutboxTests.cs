using System.Diagnostics;
using System.Net;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>
/// The payments table is the outbox: with the queue service down, a payment is still accepted at once (the host
/// writes the queue message after the answer, and fails to), and once the service is back the outbox timer writes
/// the message again and the payment is processed.
/// </summary>
public sealed class PaymentOutboxTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_payment_made_while_the_queue_service_is_down_answers_202_at_once_and_succeeds_once_it_is_back()
    {
        await using var gate = await QueueGate.StartAsync(azurite, "payments");
        await using var app = await LocalHostApp.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = gate.ConnectionString,
            ["Payments:ResendSchedule"] = $"*/{Period.TotalSeconds} * * * * *",
            ["Payments:ResendAfter"] = "00:00:01",
        });
        var api = new ApiClient(app.Client);
        var showtimeId = await api.CreateShowtime(await api.LoginAsAdmin());
        var (token, _) = await api.RegisterAndLogin();
        var booking = (await api.Book(token, showtimeId, "C3")).Expect(HttpStatusCode.Created);

        gate.Break();
        var posting = Stopwatch.StartNew();
        var payment = (await api.Pay(token, booking.Id, "tok_visa")).Expect(HttpStatusCode.Accepted);
        var answeredIn = posting.Elapsed;
        await Eventually.True(() => Task.FromResult(app.Log.Contains("Writing the outputs of 'Functions.CreatePayment'")), "the host fails to write the payment message");
        Assert.Equal("PENDING", (await api.Get($"api/payments/{payment.Id}", token)).Expect(HttpStatusCode.OK).Field("status"));

        gate.Mend();
        var mended = Stopwatch.StartNew();
        var settled = await api.PollUntil($"api/payments/{payment.Id}", token, p => p.Field("status") != "PENDING", 2 * Period + TimeSpan.FromSeconds(5));
        var settledIn = mended.Elapsed;
        output.WriteLine($"queue down: 202 in {answeredIn.TotalMilliseconds:0} ms; queue back: SUCCESS {settledIn.TotalSeconds:0.0} s later (schedule every {Period.TotalSeconds:0} s)");

        // Tens of milliseconds on a quiet machine; a POST that waited on the broken queue would take the Storage
        // client's retries (many seconds). The bound leaves room for a machine busy with the other tests.
        Assert.True(answeredIn < TimeSpan.FromSeconds(3), $"The payment was answered in {answeredIn.TotalMilliseconds:0} ms.");
        Assert.Equal("SUCCESS", settled.Field("status"));
        Assert.True(settledIn <= 2 * Period, $"SUCCESS came {settledIn.TotalSeconds:0.0} s after the queue service was back.");
        Assert.True(app.Log.Contains("Writing the messages of 1 PENDING payment(s) again"), "the outbox timer wrote the message again");
        Assert.Equal("CONFIRMED", (await api.Get($"api/bookings/{booking.Id}", token)).Expect(HttpStatusCode.OK).Field("status"));
    }
}
