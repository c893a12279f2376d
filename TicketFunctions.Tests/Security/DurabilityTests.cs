using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using FunctionsLocalHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Security;

/// <summary>
/// Bookings and payments survive a restart of the host (same database, same Azurite): a payment message waiting in
/// the <c>payments</c> queue when the host stopped is processed once it runs again, and so are payments whose charges
/// were cancelled by the stop (their messages go back to the queue).
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
            long showtimeId, heldId, queuedBooking, queuedPayment;
            long[] inFlightBookings, inFlightPayments;
            string email;
            // The first instance's gateway takes ten minutes per charge: its payments are mid-charge when it stops.
            var slowGateway = new Dictionary<string, string?>(settings) { ["Payments:SimulatedGateway:ChargeDelay"] = "00:10:00" };
            await using (var first = await LocalHostApp.StartAsync(azurite, slowGateway))
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
                await Eventually.True(async () => (await VisibleMessages(azurite)).Length == 0 && await QueuedMessages(azurite) == 9, "the host takes the nine payment messages");
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

            // Stopping cancels the running charges in the worker; their messages go back to the queue for the next
            // instance, beside the one that was never taken. Nothing was charged.
            // (The outbox timer may have written some again meanwhile: the same payment twice is harmless.)
            checks.Add(("every payment message is in the queue after the stop", (await VisibleMessages(azurite)).Distinct().Order().SequenceEqual(inFlightPayments.Append(queuedPayment).Order())));
            await using var second = await LocalHostApp.StartAsync(azurite, settings);
            var (again, _) = await second.Login(email, "Password-123");
            checks.Add(("the user logs in again", true));
            checks.Add(("the held booking reads back PENDING", await Read(second, $"api/bookings/{heldId}", again) == "PENDING"));
            checks.Add(("the queued payment message is processed after the restart", await SecurityHost.SettledPaymentStatus(second.Db, queuedPayment) == "SUCCESS"));
            checks.Add(("its booking is CONFIRMED", await Read(second, $"api/bookings/{queuedBooking}", again) == "CONFIRMED"));
            var settled = await Task.WhenAll(inFlightPayments.Select(id => SecurityHost.SettledPaymentStatus(second.Db, id)));
            checks.Add(("the payments that were mid-charge are processed after the restart", settled.All(s => s == "SUCCESS")));
            var confirmed = await Task.WhenAll(inFlightBookings.Select(id => Read(second, $"api/bookings/{id}", again)));
            checks.Add(("their bookings are CONFIRMED", confirmed.All(s => s == "CONFIRMED")));
            var gateway = second.Services.GetRequiredService<SimulatedPaymentGateway>();
            var charges = await Task.WhenAll(inFlightPayments.Append(queuedPayment).Select(id => gateway.ChargeCountAsync(id)));
            checks.Add(("each payment is charged exactly once", charges.All(c => c == 1)));
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
        // The message as the real worker wrote it: its own serializer, PascalCase.
        return [.. peeked.Value.Select(m => JsonDocument.Parse(Convert.FromBase64String(m.Body.ToString())).RootElement.GetProperty("PaymentId").GetInt64())];
    }

    /// <summary>All messages in the payments queue, visible or leased.</summary>
    private static async Task<int> QueuedMessages(AzuriteFixture azurite)
        => (await new QueueClient(azurite.ConnectionString, "payments").GetPropertiesAsync()).Value.ApproximateMessagesCount;

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
}
