using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsLocalHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Security;

/// <summary>
/// Bookings and payments survive a restart of the host (same SQLite file, same Azurite): a payment message waiting in
/// the <c>payments</c> queue when the host stopped is processed once it runs again, and so are payments whose messages
/// were mid-processing (the app re-sends payments left PENDING).
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class DurabilityTests(SecurityHost host)
{
    [Fact]
    public async Task Bookings_payments_and_queued_payment_messages_survive_a_restart_of_the_host()
    {
        // An Azurite of its own: the suite's host must not take this test's payments messages.
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var directory = Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Test:Directory"] = directory, ["Bookings:MaxSeatsPerUserPerShowtime"] = "11" };
        var checks = new List<(string Check, bool Passed)>();
        try
        {
            var stuck = new StuckGateway();
            long showtimeId, heldId, queuedBooking, queuedPayment;
            long[] inFlightBookings, inFlightPayments;
            string email;
            await using (var first = await LocalHostApp.StartAsync(azurite, settings, services =>
            {
                services.Replace(ServiceDescriptor.Singleton<IPaymentGateway>(stuck));
                services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
            }))
            {
                var (admin, _) = await first.LoginAsAdmin();
                showtimeId = await Created(first, "api/showtimes", admin, new
                {
                    movieId = await Created(first, "api/movies", admin, new { title = "Restart", genre = "Drama", durationMinutes = 90, rating = "PG", releaseDate = "2025-01-01" }),
                    theatreId = await Created(first, "api/theatres", admin, new { name = "Restart Hall", city = "Testville", address = "2 Test Street", seatRows = 4, seatsPerRow = 10 }),
                    startsAt = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:00'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    price = 9.00m,
                });
                email = $"restart-{Guid.NewGuid():N}@example.com";
                var (token, _) = await first.RegisterAndLogin(email);
                heldId = await Created(first, "api/bookings", token, new { showtimeId, seats = new[] { "A1" } });

                // Nine payments are taken from the queue and stay mid-charge; with more than newBatchThreshold (8)
                // invocations in flight the host stops fetching, so the tenth payment's message waits in the queue.
                inFlightBookings = await Task.WhenAll(Enumerable.Range(1, 9).Select(n => Created(first, "api/bookings", token, new { showtimeId, seats = new[] { $"B{n}" } })));
                inFlightPayments = await Task.WhenAll(inFlightBookings.Select(id => Paid(first, token, id)));
                await stuck.WaitForAsync(9);
                queuedBooking = await Created(first, "api/bookings", token, new { showtimeId, seats = new[] { "C1" } });
                queuedPayment = await Paid(first, token, queuedBooking);

                // The configured per-user limit (11 here) holds as well as the default one.
                using (var over = await first.Post("api/bookings", new { showtimeId, seats = new[] { "D1" } }, token))
                {
                    Assert.Equal(HttpStatusCode.Conflict, over.StatusCode);
                }

                Assert.Equal([queuedPayment], await VisibleMessages(azurite));
                await first.StopAsync();
            }

            Assert.Equal([queuedPayment], await VisibleMessages(azurite));
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var second = await LocalHostApp.StartAsync(azurite, settings, services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
            var (again, _) = await second.Login(email, "Password-123");
            checks.Add(("the user logs in again", true));
            checks.Add(("the held booking reads back PENDING", await Read(second, $"api/bookings/{heldId}", again) == "PENDING"));
            checks.Add(("the queued payment message is processed after the restart", await SecurityHost.SettledPaymentStatus(second.Db, queuedPayment) == "SUCCESS"));
            checks.Add(("its booking is CONFIRMED", await Read(second, $"api/bookings/{queuedBooking}", again) == "CONFIRMED"));

            // Messages that were mid-processing stay leased by the stopped host; the app re-sends payments left
            // PENDING for a minute (PendingPaymentResender), so they are processed too once that minute has passed.
            var pending = await Task.WhenAll(inFlightPayments.Select(id => Read(second, $"api/payments/{id}", again)));
            checks.Add(("the in-flight payments read back PENDING", pending.All(s => s == "PENDING")));
            clock.Advance(PendingPaymentResender.StaleAfter + PendingPaymentResender.Interval);
            var settled = await Task.WhenAll(inFlightPayments.Select(id => SecurityHost.SettledPaymentStatus(second.Db, id)));
            checks.Add(("the in-flight payments are processed after the restart", settled.All(s => s == "SUCCESS")));
            var confirmed = await Task.WhenAll(inFlightBookings.Select(id => Read(second, $"api/bookings/{id}", again)));
            checks.Add(("their bookings are CONFIRMED", confirmed.All(s => s == "CONFIRMED")));
            checks.Add(("the seat map still shows all 11 seats taken", await SeatsTaken(second, showtimeId) == 11));
            Assert.Empty(await DatabaseInvariants.BrokenAsync(second.Db));
        }
        finally
        {
            await azurite.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the temp folder's own clean-up.
            }
        }

        host.Figures.Add("restartChecks", checks.Count);
        host.Figures.Add("restartSurvived", checks.Count(c => c.Passed));
        Assert.All(checks, c => Assert.True(c.Passed, c.Check));
    }

    /// <summary>The payment ids of the messages now visible in the payments queue.</summary>
    private static async Task<long[]> VisibleMessages(AzuriteFixture azurite)
    {
        var queue = new QueueClient(azurite.ConnectionString, "payments");
        var peeked = await queue.PeekMessagesAsync(32);
        return [.. peeked.Value.Select(m => JsonDocument.Parse(Convert.FromBase64String(m.Body.ToString())).RootElement.GetProperty("paymentId").GetInt64())];
    }

    private static async Task<long> Paid(LocalHostApp app, string token, long bookingId)
    {
        using var paying = await app.Post("api/payments", new { bookingId, paymentToken = "tok_visa" }, token);
        Assert.Equal(HttpStatusCode.Accepted, paying.StatusCode);
        return (await paying.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<long> Created(LocalHostApp app, string path, string token, object body)
    {
        using var response = await app.Post(path, body, token);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<string?> Read(LocalHostApp app, string path, string token)
    {
        using var response = await app.Get(path, token);
        return response.StatusCode == HttpStatusCode.OK ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() : $"{(int)response.StatusCode}";
    }

    private static async Task<int> SeatsTaken(LocalHostApp app, long showtimeId)
    {
        using var response = await app.Get($"api/showtimes/{showtimeId}/seats");
        var map = await response.Content.ReadFromJsonAsync<JsonElement>();
        return map.GetProperty("seats").EnumerateArray().Count(s => s.GetProperty("status").GetString() != "available");
    }

    /// <summary>A gateway whose charge never finishes until the host, stopping, cancels it: the message stays in flight.</summary>
    private sealed class StuckGateway : IPaymentGateway
    {
        private int _entered;

        public async Task WaitForAsync(int charges)
        {
            for (var i = 0; i < 300 && Volatile.Read(ref _entered) < charges; i++)
            {
                await Task.Delay(100);
            }

            Assert.Equal(charges, Volatile.Read(ref _entered));
        }

        public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _entered);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new OperationCanceledException(cancellationToken);
        }

        public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
            => Task.FromResult(new RefundResult(true, $"refund_{request.PaymentId}", null));
    }
}
