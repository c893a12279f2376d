using System.Diagnostics;
using System.Text.Json;
using TicketFunctions.Payments;
using TicketFunctions.Telemetry;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Telemetry;

/// <summary>The outbox keeps a payment in its request's trace: the stored traceparent goes back into the resent message, and the resend links to it.</summary>
public sealed class OutboxTraceLinkTests
{
    [Fact]
    public async Task A_resent_payment_message_carries_the_paying_requests_traceparent_and_the_resend_links_to_it()
    {
        // Process-wide: other tests' spans arrive too, so the resend is picked by the trace it links to.
        var started = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AppActivities.SourceName || source.Name == "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = started.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test");

        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var booking = await app.SeedPendingBooking(userId);
        string requestTraceParent;
        long paymentId;
        using (var request = source.StartActivity("POST api/payments", ActivityKind.Server)!)
        {
            requestTraceParent = request.Id!;
            paymentId = await app.StartPayment(token, booking);
        }

        var untraced = await app.StartPayment(token, await app.SeedPendingBooking(userId));
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        var messages = (await app.Get<PendingPaymentResender>().MessagesAsync(CancellationToken.None))
            .Select(m => JsonSerializer.Deserialize<PaymentMessage>(m)!).ToDictionary(m => m.PaymentId);

        Assert.Equal(requestTraceParent, messages[paymentId].TraceParent);
        Assert.Null(messages[untraced].TraceParent);
        var resend = Assert.Single(started, a => a.OperationName == "resend pending payments" && a.Links.Any(l => requestTraceParent.Contains(l.Context.TraceId.ToHexString(), StringComparison.Ordinal)));
        var link = Assert.Single(resend.Links);
        Assert.StartsWith($"00-{link.Context.TraceId}-{link.Context.SpanId}-", requestTraceParent, StringComparison.Ordinal);
        Assert.NotEqual(link.Context.TraceId, resend.TraceId);
    }
}
