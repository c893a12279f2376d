using Dapper;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Payments;

/// <summary>
/// The built-in gateway, deterministic by token: <c>tok_visa</c> approves; <c>tok_chargeDeclined</c> declines with
/// <c>card_declined</c>; <c>tok_processingError</c> throws <see cref="PaymentGatewayUnavailableException"/> (a
/// transient fault, so the host retries the message); any other token declines with <c>invalid_token</c>.
/// Like a real provider it is idempotent by payment id, and its ledger (table gateway_charges) outlives the process:
/// the first result for a payment is kept and every later request answers with it. A charge can be made to take
/// time (<see cref="SimulatedGatewayOptions.ChargeDelay"/>), as a real provider's network call does.
/// </summary>
public sealed class SimulatedPaymentGateway(Db db, TimeProvider clock, IOptions<SimulatedGatewayOptions> options) : IPaymentGateway
{
    public const string ApprovedToken = "tok_visa";
    public const string DeclinedToken = "tok_chargeDeclined";
    public const string ProcessingErrorToken = "tok_processingError";
    public const string InvalidToken = FailureReasons.InvalidToken;

    private static readonly SqlScript RecordCharge = Sql.Load("payments/gateway_record_charge");
    private static readonly SqlScript GetCharge = Sql.Load("payments/gateway_get_charge");
    private static readonly SqlScript RecordRefund = Sql.Load("payments/gateway_record_refund");
    private static readonly SqlScript CountCharges = Sql.Load("payments/gateway_count_charges");
    private static readonly SqlScript CountRefunds = Sql.Load("payments/gateway_count_refunds");

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (options.Value.ChargeDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.Value.ChargeDelay, clock, cancellationToken);
        }

        if (request.PaymentToken == ProcessingErrorToken)
        {
            throw new PaymentGatewayUnavailableException($"The simulated gateway failed to process payment {request.PaymentId}; try again.");
        }

        var (approved, failureReason) = request.PaymentToken switch
        {
            ApprovedToken => (true, null),
            DeclinedToken => (false, FailureReasons.CardDeclined),
            _ => (false, InvalidToken),
        };
        var row = new
        {
            request.PaymentId,
            request.PaymentToken,
            request.AmountCents,
            Approved = approved,
            Reference = approved ? $"sim_ch_{Guid.NewGuid():N}" : null,
            FailureReason = failureReason,
            Now = clock.UnixMsNow(),
        };
        await db.WriteAsync((c, t) => c.ExecuteAsync(RecordCharge, row, t), cancellationToken);
        await using var connection = await db.OpenAsync(cancellationToken);
        var charge = await connection.QuerySingleAsync<LedgerRow>(GetCharge, new { request.PaymentId });
        return new ChargeResult(charge.Approved, charge.Reference, charge.FailureReason);
    }

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var row = new { request.PaymentId, RefundReference = $"sim_re_{Guid.NewGuid():N}", Now = clock.UnixMsNow() };
        await db.WriteAsync((c, t) => c.ExecuteAsync(RecordRefund, row, t), cancellationToken);
        await using var connection = await db.OpenAsync(cancellationToken);
        var charge = await connection.QuerySingleOrDefaultAsync<LedgerRow>(GetCharge, new { request.PaymentId });
        return charge is { Approved: true, RefundedAt: not null }
            ? new RefundResult(true, charge.RefundReference, null)
            : new RefundResult(false, null, RefundResult.NotCharged);
    }

    /// <summary>How many approved charges the gateway holds for the payment (0 or 1): for tests and diagnostics.</summary>
    public async Task<long> ChargeCountAsync(long paymentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(CountCharges, new { PaymentId = paymentId });
    }

    /// <summary>How many refunds the gateway made for the payment (0 or 1): for tests and diagnostics.</summary>
    public async Task<long> RefundCountAsync(long paymentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(CountRefunds, new { PaymentId = paymentId });
    }

    private sealed record LedgerRow
    {
        public long PaymentId { get; init; }

        public bool Approved { get; init; }

        public string? Reference { get; init; }

        public string? FailureReason { get; init; }

        public string? RefundReference { get; init; }

        public long? RefundedAt { get; init; }
    }
}

/// <summary>The gateway could not answer (a network fault, an outage): nothing was charged, and the call may be retried.</summary>
public sealed class PaymentGatewayUnavailableException : Exception
{
    public PaymentGatewayUnavailableException()
    {
    }

    public PaymentGatewayUnavailableException(string message)
        : base(message)
    {
    }

    public PaymentGatewayUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Settings of the simulated gateway (section <c>Payments:SimulatedGateway</c>).</summary>
public sealed class SimulatedGatewayOptions
{
    public const string Section = "Payments:SimulatedGateway";

    /// <summary>How long each charge takes before it answers (<c>Payments__SimulatedGateway__ChargeDelay</c>); none by default.</summary>
    public TimeSpan ChargeDelay { get; set; }
}
