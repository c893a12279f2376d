using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsLocalHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Security;

/// <summary>
/// Bookings and payments survive a restart of the host (same SQLite file, same Azurite), and a payment message that
/// was in the <c>payments</c> queue, mid-processing, when the host stopped is processed once it runs again.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class DurabilityTests(SecurityHost host)
{
    [Fact]
    public async Task Bookings_payments_and_a_queued_payment_message_survive_a_restart_of_the_host()
    {
        // An Azurite of its own: the suite's host must not take this test's payments messages.
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var directory = Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Test:Directory"] = directory, ["Bookings:MaxSeatsPerUserPerShowtime"] = "3" };
        var checks = new List<(string Check, bool Passed)>();
        try
        {
            var stuck = new StuckGateway();
            long showtimeId, heldId, paidId, paymentId;
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
                    theatreId = await Created(first, "api/theatres", admin, new { name = "Restart Hall", city = "Testville", address = "2 Test Street", seatRows = 4, seatsPerRow = 6 }),
                    startsAt = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd'T'HH:mm:00'Z'", System.Globalization.CultureInfo.InvariantCulture),
                    price = 9.00m,
                });
                email = $"restart-{Guid.NewGuid():N}@example.com";
                var (token, _) = await first.RegisterAndLogin(email);
                heldId = await Created(first, "api/bookings", token, new { showtimeId, seats = new[] { "A1" } });
                paidId = await Created(first, "api/bookings", token, new { showtimeId, seats = new[] { "B2", "B3" } });

                // The configured per-user limit (3 here) holds as well as the default one.
                using (var fourth = await first.Post("api/bookings", new { showtimeId, seats = new[] { "C1" } }, token))
                {
                    Assert.Equal(HttpStatusCode.Conflict, fourth.StatusCode);
                }

                using var paying = await first.Post("api/payments", new { bookingId = paidId, paymentToken = "tok_visa" }, token);
                Assert.Equal(HttpStatusCode.Accepted, paying.StatusCode);
                paymentId = (await paying.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

                // The message is taken from the queue and is mid-charge when the host stops.
                Assert.True(await stuck.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30)) == paymentId);
                await first.StopAsync();
            }

            Assert.Equal("PENDING", await Status(directory, paymentId));

            await using var second = await LocalHostApp.StartAsync(azurite, settings);
            var (again, _) = await second.Login(email, "Password-123");
            checks.Add(("the user logs in again", true));
            checks.Add(("the held booking reads back", await Read(second, $"api/bookings/{heldId}", again) == "PENDING"));
            checks.Add(("the paid booking reads back", await Read(second, $"api/bookings/{paidId}", again) is "PENDING" or "CONFIRMED"));
            checks.Add(("the payment reads back", await Read(second, $"api/payments/{paymentId}", again) is "PENDING" or "SUCCESS"));
            checks.Add(("the queued message is processed after the restart", await SecurityHost.SettledPaymentStatus(second.Db, paymentId) == "SUCCESS"));
            checks.Add(("the paid booking is confirmed", await Read(second, $"api/bookings/{paidId}", again) == "CONFIRMED"));
            checks.Add(("the showtime's seats read back", await SeatsTaken(second, showtimeId) == 3));
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

    private static async Task<string> Status(string directory, long paymentId)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, "test.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM payments WHERE id = $id";
        command.Parameters.AddWithValue("$id", paymentId);
        return (string)(await command.ExecuteScalarAsync())!;
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
        public TaskCompletionSource<long> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
        {
            Entered.TrySetResult(request.PaymentId);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new OperationCanceledException(cancellationToken);
        }

        public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
            => Task.FromResult(new RefundResult(true, $"refund_{request.PaymentId}", null));
    }
}
