using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Dapper;
using FunctionsLocalHost.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>
/// Two instances of the app, as Azure scales it out: two local host processes, each with its own worker, on one
/// PostgreSQL database and one Azurite. Always PostgreSQL, whatever TEST_DATABASE_PROVIDER says, because SQLite is one
/// file for one instance; so <c>npm test</c> runs this class once, in its SQLite pass. Each host reaches Azurite
/// through a <see cref="QueueGate"/> of its own, which records which messages that host took and which it finished:
/// the evidence of who consumed what.
/// </summary>
public sealed class TwoInstanceTests(AzuriteFixture azurite, Report report) : IClassFixture<AzuriteFixture>, IClassFixture<Report>, IAsyncLifetime
{
    private const string Succeeded = "Executed 'Functions.ProcessPayment' (Succeeded";
    private const string AlreadyPaid = "is already SUCCESS; nothing to do";

    public Task InitializeAsync() => PaymentQueues.EmptyAsync(azurite);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Two_thousand_booking_attempts_over_both_instances_sell_each_of_the_hundred_seats_once_with_no_5xx()
    {
        await using var apps = await TwoInstances.StartAsync(azurite);
        await apps.WithOutputOnFailure(async () =>
        {
            const int Attempts = 2000;
            const int Clients = 300;
            var showtime = await new ApiClient(apps.A.Client).CreateShowtime(await new ApiClient(apps.B.Client).LoginAsAdmin(), seatRows: 2, seatsPerRow: 50);
            var seats = Enumerable.Range(0, 100).Select(i => $"{(char)('A' + (i / 50))}{(i % 50) + 1}").ToArray();
            var users = await apps.CreateUsers(Attempts);

            // Attempt i goes to instance i % 2; every other pair names one seat (each seat is named ten times, on both
            // instances), the rest ask for any one seat. Three hundred clients, each sending its next attempt as soon as
            // its previous one is answered.
            var clients = new[] { ApiClient.ForRaces(apps.A.Client.BaseAddress!, Clients), ApiClient.ForRaces(apps.B.Client.BaseAddress!, Clients) };
            var answers = new ApiResponse[Attempts];
            var next = -1;
            var clock = Stopwatch.StartNew();
            try
            {
                await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
                {
                    for (var i = Interlocked.Increment(ref next); i < Attempts; i = Interlocked.Increment(ref next))
                    {
                        var body = Named(i) ? (object)new { showtimeId = showtime, seats = new[] { seats[(i / 4) % seats.Length] } } : new { showtimeId = showtime, seatCount = 1 };
                        answers[i] = await clients[i % 2].Post("api/bookings", body, users[i].Token);
                    }
                }));
            }
            finally
            {
                clients[0].Http.Dispose();
                clients[1].Http.Dispose();
            }

            var rush = clock.Elapsed;
            var statuses = answers.GroupBy(a => (int)a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
            var wins = answers.Select((a, i) => (Answer: a, Instance: i % 2)).Where(w => w.Answer.Status == HttpStatusCode.Created).ToList();
            report.Line($"two instances (started in {apps.StartedIn.TotalSeconds:0.0} s), booking rush: {Attempts} attempts by {Clients} clients in {rush.TotalSeconds:0.0} s; {string.Join(", ", statuses)}; "
                + $"201s per instance A/B: {wins.Count(w => w.Instance == 0)}/{wins.Count(w => w.Instance == 1)}");

            Assert.Equal(0, answers.Count(a => (int)a.Status >= 500));
            Assert.Equal(100, wins.Count);
            Assert.All(Enumerable.Range(0, Attempts).Where(i => answers[i].Status != HttpStatusCode.Created), i =>
            {
                Assert.True(answers[i].Status == HttpStatusCode.Conflict && answers[i].IsProblem, answers[i].ToString());
                Assert.Equal(Named(i) ? "seats_taken" : "not_enough_seats", answers[i].Field("code"));
                if (Named(i))
                {
                    Assert.Equal([seats[(i / 4) % seats.Length]], answers[i].Json.GetProperty("seats").EnumerateArray().Select(s => s.GetString()));
                }
            });

            // Both instances wrote holds into the one database, and the database let each seat go once.
            Assert.All(new[] { 0, 1 }, instance => Assert.Contains(wins, w => w.Instance == instance));
            var won = wins.Select(w => (Seat: Assert.Single(w.Answer.Json.GetProperty("seats").EnumerateArray()).GetString()!, BookingId: w.Answer.Id)).ToList();
            Assert.Equal(seats.Order(), won.Select(w => w.Seat).Order());
            await using var connection = await apps.Db.OpenAsync();
            var claims = await connection.QueryAsync<(string Seat, long BookingId)>(
                "SELECT seat, booking_id FROM seat_claims WHERE booking_id IS NOT NULL AND showtime_id = @showtime", new { showtime });
            Assert.Equal(won.Order(), claims.Order());
            Assert.Equal(
                won.Select(w => (w.BookingId, w.Seat)).Order(),
                await connection.QueryAsync<(long, string)>(
                    "SELECT b.id, s.seat FROM bookings b JOIN booking_seats s ON s.booking_id = b.id WHERE b.showtime_id = @showtime AND b.status = 'PENDING' ORDER BY 1, 2",
                    new { showtime }));
            Assert.Equal(100, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM bookings"));
            var map = await new ApiClient(apps.B.Client).SeatMap(showtime);
            Assert.Equal(100, map.Count);
            Assert.All(map.Values, status => Assert.Equal("held", status));
        });
    }

    [Fact]
    public async Task Three_hundred_payments_over_both_instances_are_consumed_by_both_and_each_charged_exactly_once()
    {
        await using var apps = await TwoInstances.StartAsync(azurite);
        await apps.WithOutputOnFailure(async () =>
        {
            const int Payments = 300;
            var clock = Stopwatch.StartNew();
            var paid = await BookAndPay(apps, Payments);
            var posted = clock.Elapsed;

            await Eventually.True(
                async () => await apps.Count("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'") == Payments,
                $"all {Payments} bookings are CONFIRMED", TimeSpan.FromSeconds(60));
            var confirmed = clock.Elapsed;
            await Eventually.True(() => Task.FromResult(apps.GateA.Deleted.Count + apps.GateB.Deleted.Count == Payments), $"both hosts deleted {Payments} messages in all");

            var (a, b) = (apps.GateA.Received, apps.GateB.Received);
            report.Line($"two instances (started in {apps.StartedIn.TotalSeconds:0.0} s), payments: {Payments} posted in {posted.TotalSeconds:0.0} s, all confirmed after {confirmed.TotalSeconds:0.0} s; "
                + $"messages taken A/B: {a.Count}/{b.Count}, finished A/B: {apps.GateA.Deleted.Count}/{apps.GateB.Deleted.Count}, "
                + $"ProcessPayment invocations A/B: {apps.A.CountLines(Succeeded)}/{apps.B.CountLines(Succeeded)}; charged {await apps.Count("SELECT count(*) FROM gateway_charges")}");

            // Competing consumers: both hosts took messages off the one queue, and no message went to both.
            Assert.NotEmpty(a);
            Assert.NotEmpty(b);
            var received = a.Concat(b).ToList();
            Assert.All(received, m => Assert.Equal(1, m.DequeueCount));
            Assert.Equal(paid.Select(p => p.PaymentId).Order(), received.Select(m => PaymentIdOf(m)).Order());
            Assert.Equal(a.Select(m => m.MessageId).Order(), apps.GateA.Deleted.Order());
            Assert.Equal(b.Select(m => m.MessageId).Order(), apps.GateB.Deleted.Order());
            Assert.Equal(a.Count, apps.A.CountLines(Succeeded));
            Assert.Equal(b.Count, apps.B.CountLines(Succeeded));
            Assert.Equal(0, apps.A.CountLines(AlreadyPaid) + apps.B.CountLines(AlreadyPaid));

            await AssertEachPaidOnceAndConfirmed(apps, paid);
        });
    }

    [Fact]
    public async Task An_instance_killed_mid_batch_leaves_its_messages_to_the_other_after_their_lease_with_none_lost_or_charged_twice()
    {
        // B's charges take two seconds each, as a slow provider's do, so that B holds a batch for a while.
        await using var apps = await TwoInstances.StartAsync(azurite, settingsB: new Dictionary<string, string> { ["Payments__SimulatedGateway__ChargeDelay"] = "00:00:02" });
        await apps.WithOutputOnFailure(async () =>
        {
            const int Payments = 200;
            var lease = TimeSpan.FromSeconds(3);
            var clock = Stopwatch.StartNew();

            // No host takes a message until all are queued; then B alone, until it takes its second batch: B takes
            // the next batch once half of the one before has finished (newBatchThreshold), so it has finished some and
            // holds the rest, and while the queue has messages it always holds some.
            apps.GateA.Shut();
            apps.GateB.Shut();
            await apps.GateA.WaitUntilAReceiveIsHeld(TimeSpan.FromSeconds(15));
            await apps.GateB.WaitUntilAReceiveIsHeld(TimeSpan.FromSeconds(15));
            var paid = await BookAndPay(apps, Payments);
            var queue = Queue("payments");
            await Eventually.True(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == Payments, $"all {Payments} messages are queued");
            apps.GateB.Open();
            await Eventually.True(() => Task.FromResult(apps.GateB.Received.Count > 16), "instance B took a second batch", TimeSpan.FromSeconds(60));

            // A starts taking messages, and B dies (SIGKILL, host and worker) with the batch it holds.
            apps.GateA.Open();
            apps.B.Kill();
            var killedAt = clock.Elapsed;
            await apps.GateB.WaitUntilNothingIsForwarded(TimeSpan.FromSeconds(10));
            var takenByB = apps.GateB.Received;
            var finishedByB = apps.GateB.Deleted;

            // The survivor finishes everything it can see; what B held stays invisible for B's lease, so A never gets it.
            // Settled means: nothing visible, A holds nothing, and the same count twice in a row (so that a receive whose
            // answer was on its way through A's gate at the first look is seen at the second).
            var left = -1;
            await Eventually.True(
                async () =>
                {
                    var idle = (await queue.PeekMessagesAsync(1)).Value.Length == 0 && apps.GateA.Received.All(m => apps.GateA.Deleted.Contains(m.MessageId));
                    var count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
                    var settled = idle && count == left;
                    left = idle ? count : -1;
                    return settled;
                },
                "instance A has emptied the visible queue", TimeSpan.FromSeconds(60));
            var survivorDone = clock.Elapsed;
            var confirmedBefore = await apps.Count("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'");
            var chargedBefore = await apps.Count("SELECT count(*) FROM gateway_charges");
            var heldByB = takenByB.Where(m => !finishedByB.Contains(m.MessageId)).ToList();
            Assert.True(left > 0, $"The kill interrupted nothing: B took {takenByB.Count} and finished {finishedByB.Count}.");
            Assert.DoesNotContain(apps.GateA.Received, m => heldByB.Any(h => h.MessageId == m.MessageId));
            var heldPayments = heldByB.Select(PaymentIdOf).ToArray();
            var heldState = (await apps.Query<(long Id, bool Charged, string Status)>(
                "SELECT p.id, c.payment_id IS NOT NULL, p.status FROM payments p LEFT JOIN gateway_charges c ON c.payment_id = p.id WHERE p.id = ANY(@heldPayments)",
                new { heldPayments })).ToDictionary(p => p.Id);

            // B's lease is ten minutes, as the Functions host's; the test cuts what is left of it to three seconds
            // (with the pop receipts B was given) instead of waiting. Nothing else brings these messages back: the
            // outbox only resends payments older than a minute.
            var cutAt = DateTimeOffset.UtcNow;
            var stranded = new List<ReceivedMessage>();
            foreach (var message in heldByB)
            {
                try
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: lease);
                    stranded.Add(message);
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    // B deleted it just as it died: the delete reached Azurite, its answer never reached the gate.
                }
            }

            // What is left in the queue is exactly what B held; everything else A finished, on its own.
            Assert.Equal(left, stranded.Count);
            var strandedCharged = stranded.Count(m => heldState[PaymentIdOf(m)].Charged);
            var strandedConfirmed = stranded.Count(m => heldState[PaymentIdOf(m)].Status == "SUCCESS");
            Assert.Equal(Payments - stranded.Count + strandedConfirmed, confirmedBefore);
            await Eventually.True(
                async () => await apps.Count("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'") == Payments
                    && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
                $"all {Payments} bookings are CONFIRMED and the queue is empty", TimeSpan.FromSeconds(30));
            var allDone = clock.Elapsed;

            report.Line($"two instances (started in {apps.StartedIn.TotalSeconds:0.0} s), SIGKILL: {Payments} payments; B killed at {killedAt.TotalSeconds:0.0} s having taken {takenByB.Count} messages and finished {finishedByB.Count}; "
                + $"A emptied the visible queue by {survivorDone.TotalSeconds:0.0} s ({confirmedBefore} confirmed, {chargedBefore} charged); {stranded.Count} messages were left leased "
                + $"to the dead B ({strandedCharged} of their payments already charged, {strandedConfirmed} already confirmed); after the lease A took them again and all "
                + $"{Payments} were confirmed at {allDone.TotalSeconds:0.0} s; ProcessPayment invocations A/B: {apps.A.CountLines(Succeeded)}/{apps.B.CountLines(Succeeded)}");

            // Each message B held came back to A only after the lease ended, and A finished it.
            Assert.All(stranded, m =>
            {
                var again = Assert.Single(apps.GateA.Received, r => r.MessageId == m.MessageId);
                Assert.Equal(2, again.DequeueCount);
                Assert.True(again.ReceivedAt >= cutAt + lease - TimeSpan.FromSeconds(1), $"{m.MessageId} came back {(again.ReceivedAt - cutAt).TotalSeconds:0.0} s after the cut, before its lease ended");
                Assert.Contains(m.MessageId, apps.GateA.Deleted);
            });
            Assert.All(apps.GateA.Received.Where(r => r.DequeueCount > 1), r => Assert.Contains(stranded, m => m.MessageId == r.MessageId));

            // A redelivered message whose payment B had confirmed is recognised and left alone (never sent to the
            // gateway again); the others A charged through the gateway's idempotency, which answers B's charge again.
            Assert.Equal(strandedConfirmed, apps.A.CountLines(AlreadyPaid));
            await AssertEachPaidOnceAndConfirmed(apps, paid);
            Assert.Equal(0, (await Queue("payments-poison").GetPropertiesAsync()).Value.ApproximateMessagesCount);
        });
    }

    [Fact]
    public async Task Fifty_holders_paying_in_the_last_second_of_their_holds_while_150_others_rush_their_seats_over_both_instances_keep_every_seat_they_paid_for()
    {
        var settings = new Dictionary<string, string>
        {
            ["Bookings__HoldDuration"] = LastSecondRush.Hold.ToString(),
            ["Payments__SimulatedGateway__ChargeDelay"] = LastSecondRush.ChargeDelay.ToString(),
            ["Payments__ProcessingHold"] = LastSecondRush.Window.ToString(),
        };
        await using var apps = await TwoInstances.StartAsync(azurite, settings: settings);
        await apps.WithOutputOnFailure(async () =>
        {
            const int Connections = LastSecondRush.Holders + LastSecondRush.Rushers + 10;
            var clients = new[] { ApiClient.ForRaces(apps.A.Client.BaseAddress!, Connections), ApiClient.ForRaces(apps.B.Client.BaseAddress!, Connections) };
            try
            {
                await LastSecondRush.RunAsync(clients, apps.Services, apps.Db, report, $"Postgres, two instances (started in {apps.StartedIn.TotalSeconds:0.0} s)");
            }
            finally
            {
                clients[0].Http.Dispose();
                clients[1].Http.Dispose();
            }
        });
    }

    /// <summary>Every payment SUCCESS and its booking CONFIRMED; the gateway holds exactly one approved charge for each, not refunded, the one the payment records.</summary>
    private static async Task AssertEachPaidOnceAndConfirmed(TwoInstances apps, List<(long BookingId, long PaymentId)> paid)
    {
        await using var connection = await apps.Db.OpenAsync();
        var payments = (await connection.QueryAsync<(long Id, long BookingId, string Status, string? Reference, long? RefundDueAt)>(
            "SELECT id, booking_id, status, gateway_reference, refund_due_at FROM payments ORDER BY id")).ToList();
        Assert.Equal(paid.Select(p => (p.PaymentId, p.BookingId)).Order(), payments.Select(p => (p.Id, p.BookingId)));
        Assert.All(payments, p => Assert.Equal(("SUCCESS", (long?)null), (p.Status, p.RefundDueAt)));
        Assert.Equal(paid.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'"));
        Assert.Equal(paid.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM bookings"));
        Assert.Equal(paid.Count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM seat_claims WHERE expires_at IS NULL"));

        var ledger = (await connection.QueryAsync<(long PaymentId, bool Approved, string? Reference, long? RefundedAt)>(
            "SELECT payment_id, approved, reference, refunded_at FROM gateway_charges ORDER BY payment_id")).ToList();
        Assert.Equal(payments.Select(p => (p.Id, true, p.Reference, (long?)null)), ledger);
        Assert.All(ledger, c => Assert.StartsWith("sim_ch_", c.Reference, StringComparison.Ordinal));
    }

    /// <summary>
    /// One user per booking (fresh users, tokens signed here), each booking one seat, then each paying with tok_visa;
    /// a booking goes to one instance and its payment to the other, alternately, 32 requests at a time.
    /// </summary>
    private static async Task<List<(long BookingId, long PaymentId)>> BookAndPay(TwoInstances apps, int count)
    {
        var api = new[] { new ApiClient(apps.A.Client), new ApiClient(apps.B.Client) };
        var showtime = await api[0].CreateShowtime(await api[1].LoginAsAdmin(), seatRows: count / 20, seatsPerRow: 20);
        var users = await apps.CreateUsers(count);
        var bookings = await InParallel(count, i => api[i % 2].Book(users[i].Token, showtime, $"{(char)('A' + (i / 20))}{(i % 20) + 1}"));
        var payments = await InParallel(count, i => api[(i + 1) % 2].Pay(users[i].Token, bookings[i].Expect(HttpStatusCode.Created).Id, "tok_visa"));
        return [.. bookings.Zip(payments, (b, p) => (b.Id, p.Expect(HttpStatusCode.Accepted).Id))];
    }

    /// <summary>Sends <paramref name="count"/> requests, 32 at a time; the answers in order.</summary>
    private static async Task<ApiResponse[]> InParallel(int count, Func<int, Task<ApiResponse>> send)
    {
        using var slots = new SemaphoreSlim(32);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await slots.WaitAsync();
            try
            {
                return await send(i);
            }
            finally
            {
                slots.Release();
            }
        }));
    }

    [Fact]
    public async Task Each_occurrence_of_each_timer_runs_once_over_both_instances()
    {
        // The real host runs a timer function on the one instance that holds its listener lease (azure-webjobs-sdk
        // Singleton/SingletonListener.cs, azure-webjobs-sdk-extensions Timers/Listener/TimerListener.cs). Azure gives a
        // site's instances one host id; this pair gets one of its own, so that a lease left by an instance an earlier
        // test killed (it expires, it is not released) cannot keep these timers waiting. Every two seconds: the
        // monitor is off, so only the lease decides.
        string[] timers = ["ResendPendingPayments", "SweepRefunds", "Maintenance"];
        await using var apps = await TwoInstances.StartAsync(azurite, settings: new Dictionary<string, string>
        {
            ["AzureFunctionsWebHost__hostid"] = "twoinst-" + Guid.NewGuid().ToString("N")[..16],
            ["Payments__ResendSchedule"] = "*/2 * * * * *",
            ["Refunds__SweepSchedule"] = "*/2 * * * * *",
            ["Maintenance__Schedule"] = "*/2 * * * * *",
        });
        await apps.WithOutputOnFailure(async () =>
        {
            await Eventually.True(
                () => Task.FromResult(timers.All(t => TimerRuns(apps.A, t).Count + TimerRuns(apps.B, t).Count >= 5)),
                "five runs of each timer over both instances", TimeSpan.FromSeconds(60));

            foreach (var timer in timers)
            {
                var (a, b) = (TimerRuns(apps.A, timer), TimerRuns(apps.B, timer));
                var perOccurrence = a.Concat(b).GroupBy(EvenSecond).ToList();
                report.Line($"two instances, timer {timer}: runs A/B {a.Count}/{b.Count}, {perOccurrence.Count} occurrences, "
                    + $"at most {perOccurrence.Max(o => o.Count())} run(s) per occurrence");

                // One instance holds the lease for the whole run; each occurrence (an even second) ran once in all.
                Assert.True(a.Count == 0 || b.Count == 0, $"{timer} ran on both instances: A {a.Count}, B {b.Count}");
                Assert.All(perOccurrence, o => Assert.Single(o));
            }
        });
    }

    /// <summary>When an instance's runs of a timer function fired, from its Executing lines ("Reason='Timer fired at ...'").</summary>
    private static List<DateTimeOffset> TimerRuns(AppProcess app, string function)
    {
        const string Fired = "(Reason='Timer fired at ";
        return app.Lines($"Executing 'Functions.{function}' {Fired}")
            .Select(l => l[(l.IndexOf(Fired, StringComparison.Ordinal) + Fired.Length)..l.IndexOf("', Id=", StringComparison.Ordinal)])
            .Select(at => DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
    }

    /// <summary>The occurrence of a "*/2 * * * * *" schedule a run belongs to (a start-up run falls between two).</summary>
    private static DateTimeOffset EvenSecond(DateTimeOffset firedAt)
    {
        var second = new DateTimeOffset(firedAt.Ticks - (firedAt.Ticks % TimeSpan.TicksPerSecond), firedAt.Offset);
        return second.Second % 2 == 0 ? second : second.AddSeconds(-1);
    }

    private static bool Named(int attempt) => (attempt / 2) % 2 == 0;

    /// <summary>The payment id in a message as the host wrote it: base64 of the worker's JSON, <c>{"PaymentId":1}</c>.</summary>
    private static long PaymentIdOf(ReceivedMessage message)
        => JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(message.Text))).RootElement.GetProperty("PaymentId").GetInt64();

    private QueueClient Queue(string name) => new(azurite.ConnectionString, name);

    /// <summary>
    /// Two app processes (A and B) on one fresh PostgreSQL database, each reaching Azurite through its own gate, and the
    /// app's services in this process over the same database, for seeding users and reading what was written.
    /// </summary>
    private sealed class TwoInstances : IAsyncDisposable
    {
        private readonly string _directory;
        private readonly ServiceProvider _services;

        private TwoInstances(string directory, ServiceProvider services, QueueGate gateA, QueueGate gateB, AppProcess a, AppProcess b)
        {
            _directory = directory;
            _services = services;
            GateA = gateA;
            GateB = gateB;
            A = a;
            B = b;
        }

        public AppProcess A { get; }

        /// <summary>How long both took to start (side by side) until each answered /api/health.</summary>
        public TimeSpan StartedIn { get; private init; }

        public AppProcess B { get; }

        public QueueGate GateA { get; }

        public QueueGate GateB { get; }

        public IServiceProvider Services => _services;

        public Db Db => _services.GetRequiredService<Db>();

        /// <summary>Starts both; <paramref name="settings"/> are settings for both, <paramref name="settingsB"/> for B alone.</summary>
        public static async Task<TwoInstances> StartAsync(
            AzuriteFixture azurite, IReadOnlyDictionary<string, string>? settingsB = null, IReadOnlyDictionary<string, string>? settings = null)
        {
            var directory = Path.Combine(Path.GetTempPath(), "ticketfunctions-tests", "twoinst-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var database = PostgresServer.Instance.DatabaseFor(directory);
            var common = new Dictionary<string, string>
            {
                ["Database__Provider"] = "postgres",
                ["Database__ConnectionString"] = database,
                ["Jwt__SigningKey"] = TestApp.SigningKey,
                ["Jwt__Issuer"] = "TicketFunctions",
                ["Jwt__Audience"] = "TicketFunctions",
                ["Admin__Email"] = TestApp.AdminEmail,
                ["Admin__Password"] = TestApp.AdminPassword,
                ["Payments__ResendSchedule"] = "0 * * * * *",
                ["Refunds__SweepSchedule"] = "30 * * * * *",
                ["Maintenance__Schedule"] = "0 15 * * * *",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                common[key] = value;
            }

            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(common.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)))
                .Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(directory));
            services.AddLogging();
            services.AddTicketFunctions(configuration);
            var provider = services.BuildServiceProvider();

            var clock = Stopwatch.StartNew();
            var gateA = await QueueGate.StartAsync(azurite, "payments");
            var gateB = await QueueGate.StartAsync(azurite, "payments");
            var b = new Dictionary<string, string>(common) { ["AzureWebJobsStorage"] = gateB.ConnectionString };
            foreach (var (key, value) in settingsB ?? new Dictionary<string, string>())
            {
                b[key] = value;
            }

            var started = new[]
            {
                AppProcess.StartAsync(new Dictionary<string, string>(common) { ["AzureWebJobsStorage"] = gateA.ConnectionString }, directory),
                AppProcess.StartAsync(b, directory),
            };
            try
            {
                await Task.WhenAll(started);
            }
            catch
            {
                foreach (var app in started.Where(s => s.IsCompletedSuccessfully))
                {
                    app.Result.Dispose();
                }

                await gateA.DisposeAsync();
                await gateB.DisposeAsync();
                await provider.DisposeAsync();
                throw;
            }

            return new TwoInstances(directory, provider, gateA, gateB, started[0].Result, started[1].Result) { StartedIn = clock.Elapsed };
        }

        /// <summary>Users written straight into the database in one statement, with tokens signed here as the app signs them.</summary>
        public async Task<List<(string Token, long UserId)>> CreateUsers(int count)
        {
            var emails = Enumerable.Range(0, count).Select(i => $"instances{i}-{Guid.NewGuid():N}@example.com").ToArray();
            var users = await Query<(long Id, string Email, string Stamp)>(
                """
                INSERT INTO users (email, normalized_email, email_skeleton, full_name, password_hash, role, created_at)
                SELECT e, lower(e), lower(e), 'Racer', 'x', 'User', 0 FROM unnest(@emails) AS e
                RETURNING id, email, security_stamp;
                """,
                new { emails });
            var tokens = _services.GetRequiredService<TicketFunctions.Auth.Tokens>();
            return [.. users.Select(u => (tokens.Issue(new TicketFunctions.Auth.UserView(u.Id, u.Email, "Racer", "User", 0, u.Stamp)), u.Id))];
        }

        public async Task<List<T>> Query<T>(string sql, object? parameters = null)
        {
            await using var connection = await Db.OpenAsync();
            return [.. await connection.QueryAsync<T>(sql, parameters)];
        }

        public async Task<long> Count(string sql, object? parameters = null)
        {
            await using var connection = await Db.OpenAsync();
            return await connection.ExecuteScalarAsync<long>(sql, parameters);
        }

        /// <summary>Runs a test body; a failure carries both hosts' output.</summary>
        public async Task WithOutputOnFailure(Func<Task> body)
        {
            try
            {
                await body();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{e.Message}\n--- instance A ---{A.Output(60)}\n--- instance B ---{B.Output(60)}", e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            A.Dispose();
            B.Dispose();
            await GateA.DisposeAsync();
            await GateB.DisposeAsync();
            await _services.DisposeAsync();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the temp folder's own clean-up.
            }
        }
    }
}
