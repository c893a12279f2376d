using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketFunctions.Data;
using TicketFunctions.Payments;
using TicketFunctions.Tests.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Bookings;

/// <summary>
/// Confirming and cancelling read the clock once they hold the write lock (SQLite's one writer; on PostgreSQL the
/// confirmation's row locks on the booking's claims): a hold that ends, or a showtime that starts, while they wait for
/// the lock has done so for them too. Each test holds the lock itself, lets the clock pass, then lets go.
/// </summary>
public sealed class ClockAfterLockTests
{
    [Fact]
    public async Task A_cancel_whose_hold_ends_before_it_writes_answers_409_and_cancels_nothing()
    {
        ObservedClock? clock = null;
        await using var app = await TestApp.StartAsync(configure: ObservedClock.Install(c => clock = c));
        var showtime = await app.CreateShowtime();
        var (token, _) = await app.RegisterAndLogin();
        var id = (await app.Book(token, showtime, "A1")).Json.GetProperty("id").GetInt64();
        app.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1.5));

        // Every read of the clock from here moves it on a second, as waiting for the write lock would: the hold ends
        // between the read that finds the booking PENDING and the write, which must not cancel it any more.
        clock!.OnRead = () => app.Clock.Advance(TimeSpan.FromSeconds(1));
        var answer = await app.CancelBooking(token, id);
        clock.OnRead = null;

        Assert.Equal(409, answer.Status);
        Assert.Equal("EXPIRED", answer.Json.GetProperty("bookingStatus").GetString());
        Assert.Equal("PENDING", await app.DbScalar<string>("SELECT status FROM bookings WHERE id = @id", new { id }));
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM seat_claims WHERE booking_id IS NOT NULL"));
    }

    [Fact]
    public async Task A_payment_confirmation_that_waited_for_the_lock_past_the_showtimes_start_is_refunded_showtime_started()
    {
        ObservedClock? clock = null;
        await using var app = await TestApp.StartAsync(configure: services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IPaymentGateway, ScriptedGateway>());
            ObservedClock.Install(c => clock = c)(services);
        });
        var gateway = (ScriptedGateway)app.Get<IPaymentGateway>();
        var (token, userId) = await app.RegisterAndLogin();

        // A hold that outlasts its showtime's start (booked minutes before it): only the start can stop the confirmation.
        var (showtimeId, _) = await app.SeedShowtime(startsAt: app.Clock.GetUtcNow().AddMinutes(10));
        var bookingId = await app.SeedPendingBooking(userId, showtimeId: showtimeId, holdFor: TimeSpan.FromMinutes(20));
        var paymentId = await app.StartPayment(token, bookingId);
        app.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));

        // Once charged, the processor goes for the lock, which the test holds. Time passes the showtime's start at the
        // processor's next clock read if it reads before the lock, or after a second if it does not read until it has
        // the lock (which it cannot have before the release); then the lock is released.
        await using var locker = new Locker();
        var read = new TaskCompletionSource();
        gateway.DuringCharge = () =>
        {
            locker.Hold(app.Db, bookingId).GetAwaiter().GetResult();
            clock!.OnRead = () => read.TrySetResult();
            _ = Task.Run(async () =>
            {
                await Task.WhenAny(read.Task, Task.Delay(TimeSpan.FromSeconds(1)));
                clock.OnRead = null;
                app.Clock.Advance(TimeSpan.FromSeconds(2));
                await locker.ReleaseAsync();
            });
        };

        await app.ProcessPayment(paymentId);

        Assert.Equal(("REFUNDED", "showtime_started"), (await app.Rows<(string, string)>("SELECT status, failure_reason FROM payments WHERE id = @paymentId", new { paymentId })).Single());
        Assert.Equal("PENDING", await app.Scalar<string>("SELECT status FROM bookings WHERE id = @bookingId", new { bookingId }));
        Assert.Equal(1, await app.Get<SimulatedPaymentGateway>().RefundCountAsync(paymentId));
        Assert.Empty(await Ledger.DisagreementsAsync(app.Db));
    }

    /// <summary>
    /// SQLite's database-wide write lock, or on PostgreSQL the row locks of a booking's claims, held by a transaction
    /// of the test's own.
    /// </summary>
    private sealed class Locker : IAsyncDisposable
    {
        private System.Data.Common.DbConnection? _connection;
        private System.Data.Common.DbTransaction? _transaction;

        public async Task Hold(Db db, long bookingId)
        {
            _connection = await db.OpenAsync();
            _transaction = await Db.BeginWriteAsync(_connection);
            if (db.Provider == DbProvider.Postgres)
            {
                await _connection.ExecuteAsync("SELECT seat FROM seat_claims WHERE booking_id = @bookingId FOR UPDATE", new { bookingId }, _transaction);
            }
        }

        public async Task ReleaseAsync()
        {
            if (_transaction is { } transaction)
            {
                _transaction = null;
                await transaction.RollbackAsync();
                await transaction.DisposeAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }
    }
}
