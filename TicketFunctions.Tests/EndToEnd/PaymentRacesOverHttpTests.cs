using System.Diagnostics;
using System.Globalization;
using System.Net;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>
/// Payments racing the end of their holds, a cancel, a rush on the same seats and the showtime's start, over real HTTP
/// on the local host with the real worker, a real Azurite and the store TEST_DATABASE_PROVIDER names (npm test runs
/// both). The simulated gateway's charges take time (Payments__SimulatedGateway__ChargeDelay), as a real provider's
/// do; after each race the gateway's ledger is checked against every payment's status (<see cref="Ledger"/>).
/// </summary>
public sealed class PaymentRacesOverHttpTests(AzuriteFixture azurite, Report report) : IClassFixture<AzuriteFixture>, IClassFixture<Report>, IAsyncLifetime
{
    public Task InitializeAsync() => PaymentQueues.EmptyAsync(azurite);

    public Task DisposeAsync() => Task.CompletedTask;

    private static Dictionary<string, string?> Settings(TimeSpan hold, TimeSpan chargeDelay, TimeSpan window) => new()
    {
        ["Bookings:HoldDuration"] = hold.ToString(),
        ["Payments:SimulatedGateway:ChargeDelay"] = chargeDelay.ToString(),
        ["Payments:ProcessingHold"] = window.ToString(),
    };

    private static DateTimeOffset ExpiresAt(ApiResponse booking)
        => DateTimeOffset.Parse(booking.Field("expiresAt")!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public async Task A_slow_charge_that_runs_past_the_holds_own_end_keeps_the_seat_from_a_rival_and_confirms()
    {
        await using var host = await LocalHostApp.StartAsync(azurite, Settings(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30)));
        var api = new ApiClient(host.Client);
        var showtime = await api.CreateShowtime(await api.LoginAsAdmin());
        var users = await TestUsers.CreateAsync(host.Services, 2);
        var (token, rival) = (users[0].Token, users[1].Token);
        var booking = (await api.Book(token, showtime, "C3")).Expect(HttpStatusCode.Created);
        var ownEnd = ExpiresAt(booking);

        // Paid in the hold's last second; the charge takes three, so it ends two seconds after the hold's own end.
        await WallClock.Until(ownEnd - TimeSpan.FromSeconds(1));
        var payment = (await api.Pay(token, booking.Id, "tok_visa")).Expect(HttpStatusCode.Accepted);

        // The rival asks for the seat from the hold's own end until the payment settles: refused every time.
        await WallClock.Until(ownEnd);
        var attempts = new List<(ApiResponse Answer, string? PaymentAfter)>();
        string? status;
        do
        {
            var answer = await api.Book(rival, showtime, "C3");
            status = (await api.Get($"api/payments/{payment.Id}", token)).Expect(HttpStatusCode.OK).Field("status");
            attempts.Add((answer, status));
        }
        while (status == "PENDING");

        report.Line($"slow charge past the hold's end ({TestApp.Provider}): rival attempts {attempts.Count}, answered {string.Join(", ", attempts.GroupBy(a => (int)a.Answer.Status).Select(g => $"{g.Key} x {g.Count()}"))}");
        Assert.Contains(attempts, a => a.PaymentAfter == "PENDING");
        Assert.All(attempts, a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.Answer.Status);
            Assert.Equal("seats_taken", a.Answer.Field("code"));
        });
        Assert.Equal("SUCCESS", status);
        Assert.Equal("CONFIRMED", (await api.Get($"api/bookings/{booking.Id}", token)).Expect(HttpStatusCode.OK).Field("status"));
        Assert.Equal("booked", (await api.SeatMap(showtime))["C3"]);
        Assert.Empty(await Ledger.WhenSettledAsync(host.Db));
    }

    [Fact]
    public async Task A_cancel_while_the_charge_is_under_way_ends_the_payment_REFUNDED_booking_cancelled_and_the_gateway_refunds_it()
    {
        await using var host = await LocalHostApp.StartAsync(azurite, Settings(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(5)));
        var api = new ApiClient(host.Client);
        var showtime = await api.CreateShowtime(await api.LoginAsAdmin());
        var (token, _) = (await TestUsers.CreateAsync(host.Services, 1)).Single();
        var booking = (await api.Book(token, showtime, "D5", "D6")).Expect(HttpStatusCode.Created);
        var payment = (await api.Pay(token, booking.Id, "tok_visa")).Expect(HttpStatusCode.Accepted);

        // Once the processing has begun (its charge takes three seconds), the owner cancels.
        await Eventually.True(() => Task.FromResult(host.Log.Contains("Executing 'Functions.ProcessPayment'")), "the payment's processing starts");
        var cancel = (await api.Post($"api/bookings/{booking.Id}/cancel", null, token)).Expect(HttpStatusCode.OK);
        Assert.Equal("CANCELLED", cancel.Field("status"));

        var settled = await api.PollUntil($"api/payments/{payment.Id}", token, p => p.Field("status") != "PENDING", TimeSpan.FromSeconds(30));
        Assert.Equal(("REFUNDED", "booking_cancelled"), (settled.Field("status"), settled.Field("failureReason")));
        Assert.Equal(("available", "available"), ((await api.SeatMap(showtime))["D5"], (await api.SeatMap(showtime))["D6"]));
        Assert.Empty(await Ledger.WhenSettledAsync(host.Db));
        await using var connection = await host.Db.OpenAsync();
        Assert.Equal((true, true), await connection.QuerySingleAsync<(bool, bool)>(
            "SELECT approved, refunded_at IS NOT NULL FROM gateway_charges WHERE payment_id = @Id", new { payment.Id }));
    }

    [Fact]
    public async Task A_payment_message_delivered_after_the_showtime_started_fails_showtime_started_and_is_never_charged()
    {
        await using var gate = await QueueGate.StartAsync(azurite, "payments");
        await using var host = await LocalHostApp.StartAsync(azurite, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = gate.ConnectionString });
        var api = new ApiClient(host.Client);
        var (token, _) = (await TestUsers.CreateAsync(host.Services, 1)).Single();

        // No host takes a message until the showtime has started: the message arrives late, as a resent one would.
        gate.Shut();
        await gate.WaitUntilAReceiveIsHeld(TimeSpan.FromSeconds(15));
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(5);
        var (showtime, _) = await PaymentsSeed.Showtime(host.Db, DateTimeOffset.UtcNow, startsAt: startsAt);
        var booking = (await api.Book(token, showtime, "A4")).Expect(HttpStatusCode.Created);
        var payment = (await api.Pay(token, booking.Id, "tok_visa")).Expect(HttpStatusCode.Accepted);
        await Eventually.True(() => Task.FromResult(DateTimeOffset.UtcNow > startsAt), "the showtime starts", TimeSpan.FromSeconds(10));
        gate.Open();

        var settled = await api.PollUntil($"api/payments/{payment.Id}", token, p => p.Field("status") != "PENDING", TimeSpan.FromSeconds(30));
        Assert.Equal(("FAILED", "showtime_started"), (settled.Field("status"), settled.Field("failureReason")));
        Assert.Equal("PENDING", (await api.Get($"api/bookings/{booking.Id}", token)).Expect(HttpStatusCode.OK).Field("status"));
        Assert.Empty(await Ledger.WhenSettledAsync(host.Db));
        await using var connection = await host.Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM gateway_charges"));
    }

    [Fact]
    public async Task Fifty_holders_paying_in_the_last_second_of_their_holds_while_150_others_rush_their_seats_keep_every_seat_they_paid_for()
    {
        await using var host = await LocalHostApp.StartAsync(azurite, Settings(LastSecondRush.Hold, LastSecondRush.ChargeDelay, LastSecondRush.Window));
        using var races = ApiClient.ForRaces(host.BaseAddress, LastSecondRush.Holders + LastSecondRush.Rushers + 10).Http;
        var client = new ApiClient(races);
        await LastSecondRush.RunAsync([client], host.Services, host.Db, report, $"{TestApp.Provider}, one instance");
    }
}
