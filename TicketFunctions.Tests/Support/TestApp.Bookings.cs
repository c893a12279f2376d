using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketFunctions.Bookings;
using TicketFunctions.Payments;

namespace TicketFunctions.Tests.Support;

public sealed partial class TestApp
{
    /// <summary>The recording gateway that <see cref="StartWithGatewayAsync"/> put in place of the real one.</summary>
    public RecordingPaymentGateway Gateway { get; private set; } = new();

    /// <summary>
    /// A new app whose IPaymentGateway is a <see cref="RecordingPaymentGateway"/> (replacing the real gateway if the
    /// payments area registered one), so bookings can be cancelled and refunds checked.
    /// </summary>
    public static async Task<TestApp> StartWithGatewayAsync(RecordingPaymentGateway? gateway = null, IDictionary<string, string?>? settings = null)
    {
        gateway ??= new RecordingPaymentGateway();
        var app = await StartAsync(settings, s => s.Replace(ServiceDescriptor.Singleton<IPaymentGateway>(gateway)));
        app.Gateway = gateway;
        return app;
    }

    public async Task<TestResponse> Book(string token, long showtimeId, params string[] seats)
        => await Call(() => Function<BookingFunctions>().Create(Request("POST", "/api/bookings", new { showtimeId, seats }, token)));

    public async Task<TestResponse> BookCount(string token, long showtimeId, int seatCount)
        => await Call(() => Function<BookingFunctions>().Create(Request("POST", "/api/bookings", new { showtimeId, seatCount }, token)));

    public async Task<TestResponse> GetBooking(string token, long bookingId)
        => await Call(() => Function<BookingFunctions>().Get(Request("GET", $"/api/bookings/{bookingId}", token: token), bookingId));

    public async Task<TestResponse> ListBookings(string token, string? query = null)
        => await Call(() => Function<BookingFunctions>().List(Request("GET", "/api/bookings", token: token, query: query)));

    public async Task<TestResponse> CancelBooking(string token, long bookingId)
        => await Call(() => Function<BookingFunctions>().Cancel(Request("POST", $"/api/bookings/{bookingId}/cancel", token: token), bookingId));

    /// <summary>
    /// Marks a booking CONFIRMED with a SUCCESS payment straight in the database, as the payment processor would:
    /// the payment id.
    /// </summary>
    public async Task<long> ConfirmWithPayment(long bookingId, string gatewayReference = "sim_ref_1")
    {
        await using var connection = await Db.OpenAsync();
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        await connection.ExecuteAsync(
            "UPDATE bookings SET status = 'CONFIRMED', confirmed_at = @Now WHERE id = @Id; UPDATE seat_claims SET expires_at = NULL WHERE booking_id = @Id;",
            new { Id = bookingId, Now = now });
        return await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, gateway_reference, created_at, processed_at)
            SELECT id, user_id, total_price_cents, 'tok_visa', 'SUCCESS', @Reference, @Now, @Now FROM bookings WHERE id = @Id
            RETURNING id;
            """,
            new { Id = bookingId, Reference = gatewayReference, Now = now });
    }

    /// <summary>Many users at once, straight into the database: see <see cref="TestUsers.CreateAsync"/>.</summary>
    public Task<List<(string Token, long UserId)>> CreateUsers(int count) => TestUsers.CreateAsync(Services, count);

    public async Task<T> DbScalar<T>(string sql, object? args = null)
    {
        await using var connection = await Db.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task<List<T>> DbRows<T>(string sql, object? args = null)
    {
        await using var connection = await Db.OpenAsync();
        return [.. await connection.QueryAsync<T>(sql, args)];
    }
}

/// <summary>
/// Many users at once, inserted straight into any host's database with tokens from its real token service: the slow
/// password hash would make races of hundreds of users take minutes. (token, user id) per user.
/// </summary>
public static class TestUsers
{
    public static async Task<List<(string Token, long UserId)>> CreateAsync(IServiceProvider services, int count)
    {
        var tokens = services.GetRequiredService<TicketFunctions.Auth.Tokens>();
        var users = new List<(string, long)>(count);
        await using var connection = await services.GetRequiredService<TicketFunctions.Data.Db>().OpenAsync();
        for (var i = 0; i < count; i++)
        {
            var email = $"racer{i}-{Guid.NewGuid():N}@example.com";
            var (id, stamp) = await connection.QuerySingleAsync<(long, string)>(
                "INSERT INTO users (email, normalized_email, email_skeleton, full_name, password_hash, role, created_at) VALUES (@email, lower(@email), lower(@email), 'Racer', 'x', 'User', 0) RETURNING id, security_stamp;",
                new { email });
            users.Add((tokens.Issue(new TicketFunctions.Auth.UserView(id, email, "Racer", "User", 0, stamp)), id));
        }

        return users;
    }
}

/// <summary>A payment gateway test double: records every call; refunds succeed unless <see cref="DeclineRefunds"/>.</summary>
public sealed class RecordingPaymentGateway : IPaymentGateway
{
    private readonly List<RefundRequest> _refunds = [];

    public bool DeclineRefunds { get; set; }

    public IReadOnlyList<RefundRequest> Refunds
    {
        get
        {
            lock (_refunds)
            {
                return [.. _refunds];
            }
        }
    }

    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new ChargeResult(true, $"sim_{request.PaymentId}", null));

    public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        lock (_refunds)
        {
            _refunds.Add(request);
        }

        return Task.FromResult(DeclineRefunds
            ? new RefundResult(false, null, "refund_declined")
            : new RefundResult(true, $"refund_{request.PaymentId}", null));
    }
}
