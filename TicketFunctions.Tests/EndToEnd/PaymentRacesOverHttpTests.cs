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

    private static async Task Until(DateTimeOffset instant)
    {
        var wait = instant - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    /// <summary>Once no payment is PENDING and no refund owed: every payment the ledger contradicts (none, when all is well).</summary>
    private static async Task<List<string>> SettledLedger(LocalHostApp host)
    {
        await Eventually.True(
            async () =>
            {
                await using var connection = await host.Db.OpenAsync();
                return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM payments WHERE status = 'PENDING' OR refund_due_at IS NOT NULL") == 0;
            },
            "every payment has left PENDING and no refund is owed",
            TimeSpan.FromSeconds(90));
        return await Ledger.DisagreementsAsync(host.Db);
    }

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
        await Until(ownEnd - TimeSpan.FromSeconds(1));
        var payment = (await api.Pay(token, booking.Id, "tok_visa")).Expect(HttpStatusCode.Accepted);

        // The rival asks for the seat from the hold's own end until the payment settles: refused every time.
        await Until(ownEnd);
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
        Assert.Empty(await SettledLedger(host));
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
        Assert.Empty(await SettledLedger(host));
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
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(4);
        var (showtime, _) = await PaymentsSeed.Showtime(host.Db, DateTimeOffset.UtcNow, startsAt: startsAt);

        // No host takes a message until the showtime has started: the message arrives late, as a resent one would.
        gate.Shut();
        await gate.WaitUntilAReceiveIsHeld(TimeSpan.FromSeconds(15));
        var booking = (await api.Book(token, showtime, "A4")).Expect(HttpStatusCode.Created);
        var payment = (await api.Pay(token, booking.Id, "tok_visa")).Expect(HttpStatusCode.Accepted);
        await Eventually.True(() => Task.FromResult(DateTimeOffset.UtcNow > startsAt), "the showtime starts", TimeSpan.FromSeconds(10));
        gate.Open();

        var settled = await api.PollUntil($"api/payments/{payment.Id}", token, p => p.Field("status") != "PENDING", TimeSpan.FromSeconds(30));
        Assert.Equal(("FAILED", "showtime_started"), (settled.Field("status"), settled.Field("failureReason")));
        Assert.Equal("PENDING", (await api.Get($"api/bookings/{booking.Id}", token)).Expect(HttpStatusCode.OK).Field("status"));
        Assert.Empty(await SettledLedger(host));
        await using var connection = await host.Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM gateway_charges"));
    }

    [Fact]
    public async Task Fifty_holders_paying_in_the_last_second_of_their_holds_while_150_others_rush_their_seats_keep_every_seat_they_paid_for()
    {
        const int Holders = 50;
        const int Rushers = 150;
        var hold = TimeSpan.FromSeconds(10);
        await using var host = await LocalHostApp.StartAsync(azurite, Settings(hold, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)));
        var api = new ApiClient(host.Client);
        var showtime = await api.CreateShowtime(await api.LoginAsAdmin(), seatRows: 5, seatsPerRow: 10);
        var users = await TestUsers.CreateAsync(host.Services, Holders + Rushers);
        var seats = Enumerable.Range(0, Holders).Select(i => $"{(char)('A' + (i / 10))}{(i % 10) + 1}").ToArray();
        using var races = ApiClient.ForRaces(host.BaseAddress, Holders + Rushers + 10).Http;
        var client = new ApiClient(races);

        // Each holder holds one seat, then pays in the last second of the hold (at a point spread over that second);
        // the charge takes two seconds, so every charge runs past the hold's own end.
        var bookings = await Task.WhenAll(Enumerable.Range(0, Holders).Select(i => client.Book(users[i].Token, showtime, seats[i])));
        Assert.All(bookings, b => b.Expect(HttpStatusCode.Created));
        var ends = bookings.Select(ExpiresAt).ToArray();
        var paying = Enumerable.Range(0, Holders).Select(async i =>
        {
            await Until(ends[i] - TimeSpan.FromMilliseconds(950 - (i * 500 / Holders)));
            return await client.Pay(users[i].Token, bookings[i].Id, "tok_visa");
        }).ToArray();

        // Three rushers per seat ask for it over and over, from just before the first hold's end until three seconds
        // after the last: each stops at its first 201.
        var rushFrom = ends.Min() - TimeSpan.FromMilliseconds(500);
        var rushUntil = ends.Max() + TimeSpan.FromSeconds(3);
        var rushing = Enumerable.Range(0, Rushers).Select(async j =>
        {
            var answers = new List<ApiResponse>();
            await Until(rushFrom);
            while (DateTimeOffset.UtcNow < rushUntil)
            {
                var answer = await client.Book(users[Holders + j].Token, showtime, seats[j % Holders]);
                answers.Add(answer);
                if (answer.Status == HttpStatusCode.Created)
                {
                    break;
                }

                await Task.Delay(100);
            }

            return (Seat: seats[j % Holders], Answers: answers);
        }).ToArray();
        var paid = await Task.WhenAll(paying);
        var rushes = await Task.WhenAll(rushing);
        var disagreements = await SettledLedger(host);

        await using var connection = await host.Db.OpenAsync();
        var payments = (await connection.QueryAsync<(long Id, long BookingId, string Status, string? Reason)>(
            "SELECT id, booking_id, status, failure_reason FROM payments")).ToDictionary(p => p.BookingId);
        var claims = (await connection.QueryAsync<(string Seat, long BookingId, long? ExpiresAt)>(
            "SELECT seat, booking_id, expires_at FROM seat_claims WHERE showtime_id = @showtime", new { showtime })).ToList();
        var charged = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM gateway_charges WHERE approved = TRUE");
        var rushAnswers = rushes.SelectMany(r => r.Answers).ToList();
        var rushWins = rushes.Where(r => r.Answers.LastOrDefault()?.Status == HttpStatusCode.Created).ToList();
        report.Line($"last-second payments vs a rush ({TestApp.Provider}, one instance, {hold.TotalSeconds:0} s holds, 2 s charges): holders {Holders}, "
            + $"POST /api/payments {string.Join(", ", paid.GroupBy(p => (int)p.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x {g.Count()}"))}; "
            + $"{await Ledger.SummaryAsync(host.Db)}; seats sold {claims.Count(c => c.ExpiresAt is null)}; "
            + $"rushers {Rushers}: {rushAnswers.Count} attempts ({string.Join(", ", rushAnswers.GroupBy(a => (int)a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x {g.Count()}"))}), {rushWins.Count} won a seat");

        Assert.Empty(disagreements);
        Assert.DoesNotContain(paid.Concat(rushAnswers), a => (int)a.Status >= 500);
        Assert.All(paid, p => Assert.True(
            p.Status == HttpStatusCode.Accepted || (p.Status == HttpStatusCode.Conflict && p.Field("code") == "booking_not_payable"), p.ToString()));
        Assert.All(rushAnswers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal("seats_taken", a.Field("code")));
        var accepted = paid.Where(p => p.Status == HttpStatusCode.Accepted).ToList();
        Assert.True(accepted.Count >= Holders / 5, $"only {accepted.Count} of {Holders} payments were accepted: the race was not run");

        // Every payment accepted with 202 kept its seat: SUCCESS, its booking's claim sold, and no rusher on that seat.
        for (var i = 0; i < Holders; i++)
        {
            if (paid[i].Status != HttpStatusCode.Accepted)
            {
                continue;
            }

            Assert.Equal(("SUCCESS", (string?)null), (payments[bookings[i].Id].Status, payments[bookings[i].Id].Reason));
            var claim = Assert.Single(claims, c => c.Seat == seats[i]);
            Assert.Equal((bookings[i].Id, (long?)null), (claim.BookingId, claim.ExpiresAt));
            Assert.DoesNotContain(rushWins, r => r.Seat == seats[i]);
        }

        // No seat was sold or held twice: one claim per seat, sold ones only for SUCCESS payments, and each rusher's
        // win is the one live claim of its seat.
        Assert.Equal(claims.Count, claims.Select(c => c.Seat).Distinct().Count());
        Assert.Equal(accepted.Count, claims.Count(c => c.ExpiresAt is null));
        Assert.Equal(accepted.Count, (long)charged);
        Assert.All(rushWins, r => Assert.Contains(claims, c => c.Seat == r.Seat && c.BookingId == r.Answers[^1].Id));
    }
}
