using System.Net;
using Azure.Storage.Queues;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using Microsoft.Data.Sqlite;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>
/// The real host process killed (SIGKILL) while payments are under way, then started again with the same settings:
/// no payment is lost, none is charged twice. Azurite stays up (only the app dies); the database is a file. The app
/// reaches Azurite through a <see cref="QueueGate"/>, so the test decides when the host may take messages and the
/// kill always lands in the middle of the work, never after it.
/// </summary>
public sealed class CrashTests : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const int Payments = 20;

    private readonly AzuriteFixture _azurite;
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", "crash-" + Guid.NewGuid().ToString("N"));
    private AppProcess? _app;
    private QueueGate? _gate;

    public CrashTests(AzuriteFixture azurite, ITestOutputHelper output)
    {
        _azurite = azurite;
        _output = output;
    }

    private string DatabasePath => Path.Combine(_directory, "app.db");

    private AppProcess App => _app ?? throw new InvalidOperationException("The app is not started.");

    private QueueGate Gate => _gate ?? throw new InvalidOperationException("The queue gate is not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        foreach (var name in new[] { "payments", "payments-poison" })
        {
            var queue = new QueueClient(_azurite.ConnectionString, name);
            await queue.CreateIfNotExistsAsync();
            await queue.ClearMessagesAsync();
        }

        _gate = await QueueGate.StartAsync(_azurite, "payments");
        _app = await AppProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = _gate.ConnectionString,
                ["Database__Path"] = DatabasePath,
                ["Jwt__SigningKey"] = TestApp.SigningKey,
                ["Jwt__Issuer"] = "TicketFunctions",
                ["Jwt__Audience"] = "TicketFunctions",
                ["Admin__Email"] = TestApp.AdminEmail,
                ["Admin__Password"] = TestApp.AdminPassword,
                // The outbox timer every two seconds, so a lost message is written again soon after a restart.
                ["Payments__ResendSchedule"] = "*/2 * * * * *",
                ["Refunds__SweepSchedule"] = "30 * * * * *",
                ["Maintenance__Schedule"] = "0 15 * * * *",
                // A killed host does not release its timers' listener leases (azure-webjobs-sdk Singleton/SingletonListener.cs):
                // the restarted one runs the outbox timer once the dead one's lease expires (15 s in Development) and it
                // looks again, every 15 s here (the real minimum; a minute by default).
                ["AzureFunctionsJobHost__singleton__listenerLockRecoveryPollingInterval"] = "00:00:15",
            },
            _directory);
    }

    public async Task DisposeAsync()
    {
        // No stray process, whatever happened.
        _app?.Dispose();
        if (_gate is not null)
        {
            await _gate.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the temp folder's own clean-up.
        }
    }

    [Fact]
    public Task Killing_the_host_while_payments_run_loses_none_and_charges_each_exactly_once() => App.WithOutputOnFailure(async () =>
    {
        var api = new ApiClient(App.Client);
        var showtimeId = await api.CreateShowtime(await api.LoginAsAdmin(), seatRows: Payments / 10, seatsPerRow: 10);
        var users = await Task.WhenAll(Enumerable.Range(0, Payments / 10).Select(_ => api.RegisterAndLogin()));

        // Ten single-seat bookings per user (the per-user limit is ten seats a showtime), one row per user.
        var bookings = (await Task.WhenAll(users.Select(async (user, row) =>
        {
            var mine = new List<(string Token, long BookingId)>();
            for (var seat = 1; seat <= 10; seat++)
            {
                mine.Add((user.Token, (await api.Book(user.Token, showtimeId, $"{(char)('A' + row)}{seat}")).Expect(HttpStatusCode.Created).Id));
            }

            return mine;
        }))).SelectMany(b => b).ToList();

        // The host takes no message while the payments are made, then one batch: the rest wait in the queue.
        Gate.Shut();
        await Gate.WaitUntilAReceiveIsHeld(TimeSpan.FromSeconds(15));
        var accepted = await Task.WhenAll(bookings.Select(b => api.Pay(b.Token, b.BookingId, "tok_visa")));
        Assert.Equal(0, await Scalar("SELECT count(*) FROM gateway_charges"));
        // The host writes each message after its 202 has gone out, as the Functions host does.
        await Eventually.True(async () => (await Queue("payments").PeekMessagesAsync(32)).Value.Length == Payments, $"all {Payments} payment messages are in the queue");
        Gate.LetOneReceiveThrough();
        await KillOnceTheFirstChargeIsMade();
        Gate.Open();

        Assert.All(accepted, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        var payments = accepted.Select((a, i) => (bookings[i].Token, bookings[i].BookingId, PaymentId: a.Id)).ToList();
        var confirmedAtKill = await Scalar("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'");
        var charged = await Scalar("SELECT count(*) FROM gateway_charges");
        var taken = await Taken();
        var atKill = $"at the kill: {charged} of {Payments} charged, {confirmedAtKill} confirmed, {taken} message(s) taken by the dead host";
        _output.WriteLine(atKill);
        Assert.True(confirmedAtKill < Payments, "The kill interrupted nothing: " + atKill);

        // A message the dead host had taken stays invisible for its 10-minute lease (as with the Functions host);
        // what recovers it is the outbox timer (ResendPendingPayments), for PENDING payments older than a minute. The
        // host comes back "two minutes later": the payments' clocks are moved back instead of the test waiting.
        await Execute("UPDATE payments SET created_at = created_at - 120000 WHERE status = 'PENDING'");
        await App.RestartAsync();

        // The dead host's outbox-timer lease expires, and the new host takes it at its next look (see the settings).
        await WaitUntil(
            async () => await Scalar("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'") == Payments,
            TimeSpan.FromSeconds(60),
            async () => $"{await Scalar("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'")} of {Payments} confirmed; {atKill}");

        foreach (var (token, bookingId, paymentId) in payments)
        {
            Assert.Equal("CONFIRMED", (await api.Get($"api/bookings/{bookingId}", token)).Expect(HttpStatusCode.OK).Field("status"));
            Assert.Equal("SUCCESS", (await api.Get($"api/payments/{paymentId}", token)).Expect(HttpStatusCode.OK).Field("status"));
        }

        await using var connection = await Open();
        var ledger = (await connection.QueryAsync<(long PaymentId, long Approved, long? RefundedAt)>(
            "SELECT payment_id, approved, refunded_at FROM gateway_charges ORDER BY payment_id")).ToList();
        Assert.Equal(payments.Select(p => (p.PaymentId, 1L, (long?)null)).Order(), ledger);
        Assert.Equal(Payments, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM payments WHERE status = 'SUCCESS'"));
        Assert.Equal(Payments, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM payments"));
        Assert.Equal(Payments, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM seat_claims WHERE expires_at IS NULL"));
    });

    [Fact]
    public Task A_pending_payment_whose_message_was_lost_is_resent_by_the_outbox_timer_and_confirmed() => App.WithOutputOnFailure(async () =>
    {
        var api = new ApiClient(App.Client);
        var showtimeId = await api.CreateShowtime(await api.LoginAsAdmin());
        var (token, userId) = await api.RegisterAndLogin();
        var booking = (await api.Book(token, showtimeId, "D4", "D5")).Expect(HttpStatusCode.Created);
        App.Kill();

        // The process died between committing the payment and sending its message: a PENDING row, no message.
        var paymentId = await Scalar(
            """
            INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, created_at)
            SELECT id, user_id, total_price_cents, 'tok_visa', 'PENDING', @CreatedAt FROM bookings WHERE id = @BookingId AND user_id = @UserId
            RETURNING id;
            """,
            new { BookingId = booking.Id, UserId = userId, CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeMilliseconds() });
        Assert.Equal(0, (await Queue("payments").GetPropertiesAsync()).Value.ApproximateMessagesCount);
        await App.RestartAsync();

        // After the dead host's outbox-timer lease has expired and the new host has looked again (see the settings).
        var confirmed = await api.PollUntil($"api/bookings/{booking.Id}", token, b => b.Field("status") != "PENDING", TimeSpan.FromSeconds(45));
        Assert.Equal("CONFIRMED", confirmed.Field("status"));
        Assert.Equal("SUCCESS", (await api.Get($"api/payments/{paymentId}", token)).Expect(HttpStatusCode.OK).Field("status"));
        Assert.Equal(1, await Scalar("SELECT count(*) FROM gateway_charges WHERE payment_id = @paymentId AND approved = 1 AND refunded_at IS NULL", new { paymentId }));
        Assert.Equal(1, await Scalar("SELECT count(*) FROM gateway_charges"));
    });

    /// <summary>
    /// Watches the gateway's ledger and kills the host the moment it has charged one payment: the host is then in the
    /// middle of its batch (some invocations not charged yet, some charged but not confirmed, some confirmed with the
    /// message not yet deleted), and the messages of the next batch have not been taken at all.
    /// </summary>
    private async Task KillOnceTheFirstChargeIsMade()
    {
        await using var connection = await Open();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM gateway_charges") == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "The host charged nothing within 15 s.");
            await Task.Delay(1);
        }

        App.Kill();
    }

    /// <summary>How many payments messages are invisible, that is taken by a host and not yet deleted.</summary>
    private async Task<int> Taken()
    {
        var queue = Queue("payments");
        var total = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var visible = (await queue.PeekMessagesAsync(32)).Value.Length;
        return total - visible;
    }

    private QueueClient Queue(string name) => new(_azurite.ConnectionString, name);

    private async Task<SqliteConnection> Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, DefaultTimeout = 30 }.ToString());
        await connection.OpenAsync();
        await connection.ExecuteAsync("PRAGMA busy_timeout = 30000;");
        return connection;
    }

    private async Task<long> Scalar(string sql, object? parameters = null)
    {
        await using var connection = await Open();
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    private async Task Execute(string sql)
    {
        await using var connection = await Open();
        await connection.ExecuteAsync(sql);
    }

    private static async Task WaitUntil(Func<Task<bool>> done, TimeSpan timeout, Func<Task<string>> describe)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Not done within {timeout.TotalSeconds} s: {await describe()}");
            }

            await Task.Delay(100);
        }
    }
}
