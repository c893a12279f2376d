using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>
/// Payments as a client lives them, over real HTTP on the local host: the 202, the <c>payments</c> queue on a real
/// Azurite with host.json's real settings, the simulated gateway's ledger, the poison queue.
/// </summary>
public sealed class PaymentsOverHttpTests : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan ConfirmWithin = TimeSpan.FromSeconds(5);

    private readonly AzuriteFixture _azurite;

    public PaymentsOverHttpTests(AzuriteFixture azurite) => _azurite = azurite;

    public Task InitializeAsync() => PaymentQueues.EmptyAsync(_azurite);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Register_browse_book_and_pay_with_tok_visa_confirms_the_booking_and_charges_once()
    {
        await using var host = await LocalHostApp.StartAsync(_azurite);
        var api = new ApiClient(host.Client);
        var showtimeId = await api.CreateShowtime(await api.LoginAsAdmin(), price: 9.75m);
        var (token, userId) = await api.RegisterAndLogin();

        var movie = (await api.Get("api/movies?pageSize=100")).Expect(HttpStatusCode.OK).Json.GetProperty("items").EnumerateArray().Single();
        var showtime = (await api.Get($"api/showtimes?movieId={movie.GetProperty("id").GetInt64()}")).Expect(HttpStatusCode.OK)
            .Json.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(showtimeId, showtime.GetProperty("id").GetInt64());
        var free = (await api.SeatMap(showtimeId)).Where(s => s.Value == "available").Select(s => s.Key).Take(2).ToArray();
        Assert.Equal(["A1", "A2"], free);

        var booking = (await api.Book(token, showtimeId, free)).Expect(HttpStatusCode.Created);
        Assert.Equal(19.50m, booking.Json.GetProperty("totalPrice").GetDecimal());
        var paid = (await api.Pay(token, booking.Id, "tok_visa")).Expect(HttpStatusCode.Accepted);
        Assert.Equal("PENDING", paid.Field("status"));
        Assert.Equal($"/api/payments/{paid.Id}", paid.Location?.OriginalString);

        var confirmed = await api.PollUntil($"api/bookings/{booking.Id}", token, b => b.Field("status") != "PENDING", ConfirmWithin);
        Assert.Equal("CONFIRMED", confirmed.Field("status"));
        var payment = (await api.Get(paid.Location!.OriginalString, token)).Expect(HttpStatusCode.OK);
        Assert.Equal("SUCCESS", payment.Field("status"));
        Assert.Equal(19.50m, payment.Json.GetProperty("amount").GetDecimal());
        Assert.Equal(JsonValueKind.Null, payment.Json.GetProperty("failureReason").ValueKind);
        var map = await api.SeatMap(showtimeId);
        Assert.Equal(("booked", "booked"), (map["A1"], map["A2"]));

        await using var connection = await host.Db.OpenAsync();
        var charge = Assert.Single(await connection.QueryAsync<(long PaymentId, long Approved, long AmountCents, long? RefundedAt)>(
            "SELECT payment_id, approved, amount_cents, refunded_at FROM gateway_charges"));
        Assert.Equal((paid.Id, 1L, 1950L, (long?)null), charge);
        Assert.Equal(("SUCCESS", userId), await connection.QuerySingleAsync<(string, long)>("SELECT status, user_id FROM payments WHERE id = @Id", new { paid.Id }));
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM seat_claims WHERE booking_id = @Id AND expires_at IS NULL", new { booking.Id }));
    }

    [Fact]
    public async Task A_declined_card_fails_the_payment_and_the_booking_keeps_holding_its_seats()
    {
        await using var host = await LocalHostApp.StartAsync(_azurite);
        var api = new ApiClient(host.Client);
        var showtimeId = await api.CreateShowtime(await api.LoginAsAdmin());
        var (token, _) = (await TestUsers.CreateAsync(host.Services, 1)).Single();
        var booking = (await api.Book(token, showtimeId, "B3", "B4")).Expect(HttpStatusCode.Created);

        var paid = (await api.Pay(token, booking.Id, "tok_chargeDeclined")).Expect(HttpStatusCode.Accepted);

        var payment = await api.PollUntil($"api/payments/{paid.Id}", token, p => p.Field("status") != "PENDING", ConfirmWithin);
        Assert.Equal("FAILED", payment.Field("status"));
        Assert.Equal("card_declined", payment.Field("failureReason"));
        Assert.Equal("PENDING", (await api.Get($"api/bookings/{booking.Id}", token)).Expect(HttpStatusCode.OK).Field("status"));
        var map = await api.SeatMap(showtimeId);
        Assert.Equal(("held", "held"), (map["B3"], map["B4"]));
        Assert.Equal(2, map.Values.Count(s => s != "available"));

        await using var connection = await host.Db.OpenAsync();
        Assert.Equal(
            (paid.Id, 0L, "card_declined"),
            await connection.QuerySingleAsync<(long, long, string)>("SELECT payment_id, approved, failure_reason FROM gateway_charges"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM seat_claims WHERE booking_id = @Id AND expires_at > @Now", new { booking.Id, Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }));
    }

    [Fact]
    public async Task A_message_that_always_fails_lands_on_payments_poison_and_its_payment_fails_as_processing_failed()
    {
        // The poison queue's own function is off at first (the Functions host's AzureWebJobs.<name>.Disabled setting),
        // so that the message can be seen where it landed.
        var host = await LocalHostApp.StartAsync(_azurite, new Dictionary<string, string?> { ["AzureWebJobs.ProcessPaymentPoison.Disabled"] = "true" });
        string token;
        long bookingId, paymentId;
        try
        {
            var api = new ApiClient(host.Client);
            var showtimeId = await api.CreateShowtime(await api.LoginAsAdmin());
            (token, _) = (await TestUsers.CreateAsync(host.Services, 1)).Single();
            bookingId = (await api.Book(token, showtimeId, "E9")).Expect(HttpStatusCode.Created).Id;

            paymentId = (await api.Pay(token, bookingId, "tok_processingError")).Expect(HttpStatusCode.Accepted).Id;

            var poisoned = await PeekUntilOne(Queue("payments-poison"), TimeSpan.FromSeconds(15));
            // The message as the real worker's serializer wrote it (PascalCase), unchanged on its way to -poison.
            Assert.Equal($"{{\"PaymentId\":{paymentId}}}", Encoding.UTF8.GetString(Convert.FromBase64String(poisoned)));
            Assert.Equal(0, (await Queue("payments").GetPropertiesAsync()).Value.ApproximateMessagesCount);
            Assert.Equal("PENDING", (await api.Get($"api/payments/{paymentId}", token)).Expect(HttpStatusCode.OK).Field("status"));
        }
        finally
        {
            await host.DisposeAsync();
        }

        // The host again, over the same database, with every function on: the poison function settles the payment.
        await using var restarted = await LocalHostApp.StartAsync(_azurite, new Dictionary<string, string?> { ["Test:Directory"] = host.Directory });
        var again = new ApiClient(restarted.Client);
        var payment = await again.PollUntil($"api/payments/{paymentId}", token, p => p.Field("status") != "PENDING", TimeSpan.FromSeconds(10));
        Assert.Equal("FAILED", payment.Field("status"));
        Assert.Equal("processing_failed", payment.Field("failureReason"));
        Assert.Equal("PENDING", (await again.Get($"api/bookings/{bookingId}", token)).Expect(HttpStatusCode.OK).Field("status"));

        await using var connection = await restarted.Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM gateway_charges"));
        await PeekUntilEmpty(Queue("payments-poison"), TimeSpan.FromSeconds(5));
    }

    private QueueClient Queue(string name) => new(_azurite.ConnectionString, name);

    /// <summary>The one message's raw text, once the queue shows exactly one; fails after the deadline.</summary>
    private static async Task<string> PeekUntilOne(QueueClient queue, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var messages = (await queue.PeekMessagesAsync(maxMessages: 32)).Value;
            if (messages.Length > 0)
            {
                return Assert.Single(messages).Body.ToString();
            }

            Assert.True(clock.Elapsed < timeout, $"No message reached {queue.Name} within {timeout.TotalSeconds} s.");
            await Task.Delay(100);
        }
    }

    private static async Task PeekUntilEmpty(QueueClient queue, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(clock.Elapsed < timeout, $"{queue.Name} still holds a message after {timeout.TotalSeconds} s.");
            await Task.Delay(100);
        }
    }
}
