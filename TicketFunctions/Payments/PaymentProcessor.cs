using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using TicketFunctions.Common;
using TicketFunctions.Data;

namespace TicketFunctions.Payments;

/// <summary>
/// Settles a PENDING payment: charge through the gateway, then confirm payment and booking in one transaction.
/// Every step is safe to repeat, because a queue message may arrive more than once: the gateway is idempotent by
/// payment id and each state change is a conditional update on PENDING.
/// </summary>
public sealed partial class PaymentProcessor(Db db, IPaymentGateway gateway, TimeProvider clock, ILogger<PaymentProcessor> logger)
{
    private static readonly SqlScript GetPaymentForProcessing = Sql.Load("payments/get_payment_for_processing");
    private static readonly SqlScript MarkPaymentSucceeded = Sql.Load("payments/mark_payment_succeeded");
    private static readonly SqlScript MarkPaymentFailed = Sql.Load("payments/mark_payment_failed");
    private static readonly SqlScript ConfirmBooking = Sql.Load("payments/confirm_booking");
    private static readonly SqlScript SellSeatClaims = Sql.Load("payments/sell_seat_claims");
    private static readonly SqlScript GetPaymentStatus = Sql.Load("payments/get_payment_status");

    public async Task ProcessAsync(long paymentId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await PendingPaymentAsync(connection, paymentId, cancellationToken) is not { } payment)
        {
            return;
        }

        if (payment.BookingStatus != "PENDING" || payment.BookingExpiresAt <= clock.UnixMsNow())
        {
            // Normally nothing was charged; but an earlier delivery may have charged and died before confirming.
            await FailAndRefundAsync(connection, payment, FailureReasons.BookingExpired, null, cancellationToken);
            return;
        }

        // A gateway exception propagates: nothing changed here, and the host delivers the message again.
        var charge = await gateway.ChargeAsync(new ChargeRequest(paymentId, payment.PaymentToken, payment.AmountCents), cancellationToken);
        if (!charge.Approved)
        {
            await FailAsync(connection, paymentId, charge.FailureReason ?? FailureReasons.CardDeclined, null, cancellationToken);
            return;
        }

        if (await ConfirmAsync(connection, payment, charge.Reference, cancellationToken))
        {
            LogSucceeded(paymentId, payment.BookingId);
            return;
        }

        // Charged, but the hold ended (or the booking was cancelled, or another delivery settled the payment
        // otherwise) while the charge was under way: the payment fails and the money goes back.
        await FailAndRefundAsync(connection, payment, FailureReasons.BookingExpired, charge.Reference, cancellationToken);
    }

    /// <summary>
    /// A message that failed every retry: the payment becomes FAILED (processing_failed) unless it already left
    /// PENDING, and any charge the gateway made for it is refunded, so no payment stays PENDING or charged for nothing.
    /// </summary>
    public async Task FailPoisonedAsync(long paymentId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await PendingPaymentAsync(connection, paymentId, cancellationToken) is not { } payment)
        {
            return;
        }

        var refunded = await FailAndRefundAsync(connection, payment, FailureReasons.ProcessingFailed, null, cancellationToken);
        LogPoisoned(paymentId, refunded);
    }

    /// <summary>
    /// FAILED first, by a conditional update, then a refund only if the payment did end FAILED: a delivery that
    /// confirmed the payment in the meantime wins cleanly, and a SUCCESS payment is never refunded here.
    /// </summary>
    /// <summary>
    /// The payment if it is still PENDING. Otherwise null: unknown, or already settled by an earlier delivery (then a
    /// FAILED one's stray charge, if any, is refunded).
    /// </summary>
    private async Task<PaymentToProcess?> PendingPaymentAsync(DbConnection connection, long paymentId, CancellationToken cancellationToken)
    {
        var payment = await connection.QuerySingleOrDefaultAsync<PaymentToProcess>(GetPaymentForProcessing, new { PaymentId = paymentId });
        if (payment is null)
        {
            LogUnknownPayment(paymentId);
            return null;
        }

        if (payment.Status != PaymentStatuses.Pending)
        {
            LogAlreadyProcessed(paymentId, payment.Status);
            await RefundIfFailedAsync(payment, cancellationToken);
            return null;
        }

        return payment;
    }

    private async Task<bool> FailAndRefundAsync(
        DbConnection connection, PaymentToProcess payment, string reason, string? reference, CancellationToken cancellationToken)
    {
        await FailAsync(connection, payment.PaymentId, reason, reference, cancellationToken);
        var status = await connection.ExecuteScalarAsync<string>(GetPaymentStatus, new { payment.PaymentId });
        return await RefundIfFailedAsync(payment with { Status = status ?? "" }, cancellationToken);
    }

    /// <summary>
    /// A FAILED payment never keeps money: asks the gateway to refund any charge it made (a no-op when there was
    /// none), which also finishes a refund that a crash interrupted, since the message is then delivered again.
    /// </summary>
    private async Task<bool> RefundIfFailedAsync(PaymentToProcess payment, CancellationToken cancellationToken)
        => payment.Status == PaymentStatuses.Failed && await RefundAsync(payment, cancellationToken);

    private async Task<bool> RefundAsync(PaymentToProcess payment, CancellationToken cancellationToken)
    {
        var refund = await gateway.RefundAsync(new RefundRequest(payment.PaymentId, null, payment.AmountCents), cancellationToken);
        if (refund.Refunded)
        {
            LogRefunded(payment.PaymentId, refund.Reference);
        }

        return refund.Refunded;
    }

    private async Task<bool> ConfirmAsync(DbConnection connection, PaymentToProcess payment, string? reference, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        await using var transaction = await Db.BeginWriteAsync(connection, cancellationToken);
        var paid = await connection.ExecuteAsync(MarkPaymentSucceeded, new { payment.PaymentId, GatewayReference = reference, Now = now }, transaction);
        if (paid == 0)
        {
            // Another delivery got here first. If it confirmed, all is done; if the payment ended otherwise, the
            // caller refunds (the gateway's refund is idempotent too).
            var status = await connection.ExecuteScalarAsync<string>(GetPaymentStatus, new { payment.PaymentId }, transaction);
            return status == PaymentStatuses.Success;
        }

        var confirmed = await connection.ExecuteAsync(ConfirmBooking, new { payment.BookingId, Now = now }, transaction);
        if (confirmed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await connection.ExecuteAsync(SellSeatClaims, new { payment.BookingId }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<bool> FailAsync(
        DbConnection connection, long paymentId, string reason, string? reference, CancellationToken cancellationToken)
    {
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            MarkPaymentFailed.For(connection),
            new { PaymentId = paymentId, FailureReason = reason, GatewayReference = reference, Now = clock.UnixMsNow() },
            cancellationToken: cancellationToken));
        if (changed > 0)
        {
            LogFailed(paymentId, reason);
        }

        return changed > 0;
    }

    [LoggerMessage(LogLevel.Warning, "Payment {PaymentId} does not exist; the message is dropped")]
    private partial void LogUnknownPayment(long paymentId);

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} is already {Status}; nothing to do")]
    private partial void LogAlreadyProcessed(long paymentId, string status);

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} succeeded; booking {BookingId} is confirmed")]
    private partial void LogSucceeded(long paymentId, long bookingId);

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} failed: {Reason}")]
    private partial void LogFailed(long paymentId, string reason);

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} was refunded by the gateway ({Reference})")]
    private partial void LogRefunded(long paymentId, string? reference);

    [LoggerMessage(LogLevel.Warning, "Payment {PaymentId} was poisoned and is marked failed (a charge was refunded: {Refunded})")]
    private partial void LogPoisoned(long paymentId, bool refunded);

    private sealed record PaymentToProcess
    {
        public long Id { get; init; }

        public long PaymentId => Id;

        public long BookingId { get; init; }

        public long AmountCents { get; init; }

        public string PaymentToken { get; init; } = "";

        public string Status { get; init; } = "";

        public string BookingStatus { get; init; } = "";

        public long BookingExpiresAt { get; init; }
    }
}
