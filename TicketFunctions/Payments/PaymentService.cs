using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Payments;

/// <summary>The answer to POST /api/payments: a new payment (send its message), or the stored first answer replayed.</summary>
public sealed record PaymentAccepted(long PaymentId, string Location, string Body, bool Replayed);

/// <summary>Starting and reading payments: the logic behind <see cref="PaymentFunctions"/>.</summary>
public sealed class PaymentService(Db db, TimeProvider clock, IOptions<PaymentOptions> options)
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int IdempotencyKeyMaxLength = 100;

    /// <summary>Printable ASCII, as <see cref="ReadIdempotencyKey"/> checks it; for the OpenAPI schema (an ECMA-262 pattern).</summary>
    public const string IdempotencyKeyPattern = "^[ -~]+$";
    public static readonly TimeSpan IdempotencyKeyLifetime = TimeSpan.FromHours(24);

    private static readonly SqlScript GetPayableBooking = Sql.Load("payments/get_payable_booking");
    private static readonly SqlScript InsertPayment = Sql.Load("payments/insert_payment");
    private static readonly SqlScript GetPayment = Sql.Load("payments/get_payment");
    private static readonly SqlScript FindIdempotencyKey = Sql.Load("payments/find_idempotency_key");
    private static readonly SqlScript DeleteExpiredIdempotencyKey = Sql.Load("payments/delete_expired_idempotency_key");
    private static readonly SqlScript InsertIdempotencyKey = Sql.Load("payments/insert_idempotency_key");
    private static readonly SqlScript ExtendClaims = Sql.Load("payments/extend_claims");
    private static readonly SqlScript ExtendHold = Sql.Load("payments/extend_hold");

    /// <summary>The Idempotency-Key header: absent (null), or 1..100 printable ASCII characters; otherwise a field error.</summary>
    public static Result<string?> ReadIdempotencyKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyHeader];
        if (values.Count == 0)
        {
            return (string?)null;
        }

        var key = values.Count == 1 ? values[0] : null;
        return key is { Length: > 0 and <= IdempotencyKeyMaxLength } && key.All(c => c is >= ' ' and <= '~')
            ? key
            : new Error.Invalid(IdempotencyHeader, $"Give the header once, as 1 to {IdempotencyKeyMaxLength} printable ASCII characters.");
    }

    public async Task<Result<PaymentAccepted>> CreateAsync(
        CreatePaymentRequest request, string? idempotencyKey, Caller caller, CancellationToken cancellationToken)
    {
        var errors = Validate.Annotations(request);
        if (!Validate.IsPrintable(request.PaymentToken) || request.PaymentToken.Trim() != request.PaymentToken)
        {
            errors.Add("paymentToken", "Must not contain spaces at the ends or control characters.");
        }

        if (errors.Count > 0)
        {
            return new Error.Invalid(errors);
        }

        var requestHash = Hash(request);
        try
        {
            return await CreateInTransactionAsync(request, requestHash, idempotencyKey, caller, cancellationToken);
        }
        catch (DbException e) when (DbRefusal.Is(e, DbRefusalKind.Unique, "idempotency_keys") || DbRefusal.Is(e, DbRefusalKind.Unique, "payments"))
        {
            // Another request committed first (on PostgreSQL, where writers run side by side). With this key, it is the
            // request this one repeats, refused by either index (its payment or its key): replay its answer.
            if (idempotencyKey is not null)
            {
                await using var connection = await db.OpenAsync(cancellationToken);
                if (await ReplayAsync(connection, caller.Id, idempotencyKey, requestHash, null) is { } replay)
                {
                    return replay;
                }
            }

            // ux_payments_live: the backstop against a second live payment, whatever the checks above missed.
            return DbRefusal.Is(e, DbRefusalKind.Unique, "payments")
                ? PaymentExists()
                : throw new InvalidOperationException("An idempotency key clashed but cannot be read back.", e);
        }
    }

    public async Task<PaymentResponse?> GetAsync(long id, Caller caller, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var payment = await connection.QuerySingleOrDefaultAsync<PaymentView>(GetPayment, new { Id = id, CallerId = caller.Id, caller.IsAdmin });
        return payment is null ? null : PaymentResponse.From(payment);
    }

    private async Task<Result<PaymentAccepted>> CreateInTransactionAsync(
        CreatePaymentRequest request, string requestHash, string? idempotencyKey, Caller caller, CancellationToken cancellationToken)
    {
        await using var write = await db.WriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);

        // Read once the write lock is held: waiting for it must not let a hold that ended meanwhile be paid for.
        var now = clock.UnixMsNow();
        if (idempotencyKey is not null)
        {
            await connection.ExecuteAsync(DeleteExpiredIdempotencyKey, new { UserId = caller.Id, Key = idempotencyKey, Now = now }, transaction);
            var replay = await ReplayAsync(connection, caller.Id, idempotencyKey, requestHash, transaction);
            if (replay is not null)
            {
                return replay.Value;
            }
        }

        var booking = await connection.QuerySingleOrDefaultAsync<PayableBooking>(GetPayableBooking, new { request.BookingId, CallerId = caller.Id }, transaction);
        if (booking is null)
        {
            return new Error.NotFound($"There is no booking {request.BookingId} of yours.");
        }

        var status = booking.Status == "PENDING" && booking.ExpiresAt <= now ? "EXPIRED" : booking.Status;
        if (status != "PENDING")
        {
            return NotPayable(status);
        }

        // A hold may outlast the start of the show (a booking made minutes before it); a ticket is not sold after that.
        if (booking.StartsAt <= now)
        {
            return new Error.Conflict("showtime_started", "The showtime has already started; its tickets can no longer be paid for.");
        }

        if (booking.HasLivePayment)
        {
            // With a key, the live payment may be the one a request with this key committed since the check above
            // (PostgreSQL writers run side by side, and each statement sees the latest commits): that answer is replayed.
            return idempotencyKey is not null && await ReplayAsync(connection, caller.Id, idempotencyKey, requestHash, transaction) is { } replay
                ? replay
                : PaymentExists();
        }

        var payment = await connection.QuerySingleAsync<PaymentView>(InsertPayment, new
        {
            request.BookingId,
            UserId = caller.Id,
            AmountCents = booking.TotalPriceCents,
            request.PaymentToken,
            Now = now,
            TraceParent = AppActivities.CurrentTraceParent(),
        }, transaction);
        var accepted = new PaymentAccepted(
            payment.Id, $"/api/payments/{payment.Id}", JsonSerializer.Serialize(PaymentResponse.From(payment), Json.Options), Replayed: false);

        // The payment keeps the booking's seats while it is processed: its hold and claims run at least to the end of
        // the processing window. The conditional updates decide (a hold that ended since the read above is refused);
        // claims first, then the booking, the order in which a hold's reclaim of ended claims locks them.
        var window = new { request.BookingId, Now = now, ProcessingEndsAt = now + (long)options.Value.ProcessingHold.TotalMilliseconds };
        var liveClaims = await connection.ExecuteAsync(ExtendClaims, window, transaction);
        if (liveClaims != booking.SeatCount || await connection.ExecuteAsync(ExtendHold, window, transaction) != 1)
        {
            return NotPayable("EXPIRED");
        }

        if (idempotencyKey is not null)
        {
            // Claimed in the same transaction as the payment: both exist, or neither.
            await connection.ExecuteAsync(InsertIdempotencyKey, new
            {
                UserId = caller.Id,
                Key = idempotencyKey,
                RequestHash = requestHash,
                StatusCode = StatusCodes.Status202Accepted,
                ResponseBody = accepted.Body,
                accepted.Location,
                Now = now,
                ExpiresAt = now + (long)IdempotencyKeyLifetime.TotalMilliseconds,
            }, transaction);
        }

        await write.CommitAsync(cancellationToken);
        return accepted;
    }

    /// <summary>The stored first answer for this key; a conflict for another body; null when the key is unused.</summary>
    private static async Task<Result<PaymentAccepted>?> ReplayAsync(
        DbConnection connection, long userId, string key, string requestHash, DbTransaction? transaction)
    {
        var stored = await connection.QuerySingleOrDefaultAsync<StoredAnswer>(FindIdempotencyKey, new { UserId = userId, Key = key }, transaction);
        if (stored is null)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.RequestHash), Encoding.ASCII.GetBytes(requestHash)))
        {
            return new Error.Conflict(
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request body; use a new key for a new request.");
        }

        var paymentId = System.Text.Json.Nodes.JsonNode.Parse(stored.ResponseBody)!["id"]!.GetValue<long>();
        return new PaymentAccepted(paymentId, stored.Location ?? $"/api/payments/{paymentId}", stored.ResponseBody, Replayed: true);
    }

    /// <summary>SHA-256 of the request's canonical JSON, so that formatting and field order do not make it "another body".</summary>
    private static string Hash(CreatePaymentRequest request)
        => Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, Json.Options)));

    private static Error.Conflict NotPayable(string status) => new(
        "booking_not_payable",
        status == "EXPIRED" ? "The booking's seat hold has expired; book again." : $"The booking is {status}; only a PENDING booking can be paid.",
        new Dictionary<string, object?> { ["bookingStatus"] = status });

    private static Error.Conflict PaymentExists()
        => new Error.Conflict("payment_exists", "A payment for this booking is already in progress or has succeeded.");

    private sealed record PayableBooking
    {
        public long Id { get; init; }

        public string Status { get; init; } = "";

        public long ExpiresAt { get; init; }

        public long TotalPriceCents { get; init; }

        public long SeatCount { get; init; }

        public long StartsAt { get; init; }

        public bool HasLivePayment { get; init; }
    }

    private sealed record StoredAnswer
    {
        public string RequestHash { get; init; } = "";

        public long StatusCode { get; init; }

        public string ResponseBody { get; init; } = "";

        public string? Location { get; init; }

        public long ExpiresAt { get; init; }
    }
}
