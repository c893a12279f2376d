using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Payments;

/// <summary>
/// Settles a PENDING payment: charge through the gateway, then confirm payment and booking in one transaction.
/// Every step is safe to repeat, because a queue message may arrive more than once: the gateway is idempotent by
/// payment id, each state change is a conditional update on PENDING, and a payment that has left PENDING is never
/// sent to the gateway again. A refund that a failure owes is recorded with the failure and made after the commit
/// (<see cref="Refunds"/>); the refund sweep finishes it if this process dies first.
/// </summary>
public sealed partial class PaymentProcessor(Db db, IPaymentGateway gateway, Refunds refunds, TimeProvider clock, ILogger<PaymentProcessor> logger)
{
    private static readonly SqlScript GetPaymentForProcessing = Sql.Load("payments/get_payment_for_processing");
    private static readonly SqlScript MarkPaymentSucceeded = Sql.Load("payments/mark_payment_succeeded");
    private static readonly SqlScript MarkPaymentFailed = Sql.Load("payments/mark_payment_failed");
    private static readonly SqlScript RequestRefund = Sql.Load("payments/request_refund");
    private static readonly SqlScript ConfirmBooking = Sql.Load("payments/confirm_booking");
    private static readonly SqlScript SellSeatClaims = Sql.Load("payments/sell_seat_claims");
    private static readonly SqlScript GetPaymentStatus = Sql.Load("payments/get_payment_status");
    private static readonly SqlScript GetBookingStatus = Sql.Load("payments/get_booking_status");

    public async Task ProcessAsync(long paymentId, CancellationToken cancellationToken)
    {
        if (await PendingPaymentAsync(paymentId, cancellationToken) is not { } payment)
        {
            return;
        }

        if (payment.BookingStatus != "PENDING" || payment.BookingExpiresAt <= clock.UnixMsNow())
        {
            // Normally nothing was charged; but an earlier delivery may have charged and died before confirming, so
            // whatever the gateway holds for this payment is refunded (a no-op when it holds nothing).
            await FailAndRefundAsync(payment, ReasonFor(payment.BookingStatus), null, cancellationToken);
            return;
        }

        // A gateway exception propagates: nothing changed here, and the host delivers the message again.
        ChargeResult charge;
        using (var call = AppActivities.Source.StartActivity("payment gateway charge", System.Diagnostics.ActivityKind.Client))
        {
            charge = await gateway.ChargeAsync(new ChargeRequest(paymentId, payment.PaymentToken, payment.AmountCents), cancellationToken);
            call?.SetTag("tickets.charge.approved", charge.Approved);
        }

        if (!charge.Approved)
        {
            await FailAsync(payment, charge.FailureReason ?? FailureReasons.CardDeclined, null, null, cancellationToken);
            return;
        }

        string? unconfirmed;
        using (AppActivities.Source.StartActivity("confirm payment"))
        {
            unconfirmed = await ConfirmAsync(payment, charge.Reference, cancellationToken);
        }

        if (unconfirmed is null)
        {
            LogSucceeded(paymentId, payment.BookingId);
            return;
        }

        // Charged, but the hold ended (or the booking was cancelled, or another delivery failed the payment) while
        // the charge was under way: the payment fails and the money goes back.
        await FailAndRefundAsync(payment, unconfirmed, charge.Reference, cancellationToken);
    }

    /// <summary>
    /// A message that failed every retry: the payment becomes FAILED (processing_failed) unless it already left
    /// PENDING, and any charge the gateway made for it is refunded, so no payment stays PENDING or charged for nothing.
    /// </summary>
    public async Task FailPoisonedAsync(long paymentId, CancellationToken cancellationToken)
    {
        if (await PendingPaymentAsync(paymentId, cancellationToken) is not { } payment)
        {
            return;
        }

        var refunded = await FailAndRefundAsync(payment, FailureReasons.ProcessingFailed, null, cancellationToken);
        LogPoisoned(paymentId, refunded);
    }

    private static string ReasonFor(string bookingStatus)
        => bookingStatus == "CANCELLED" ? FailureReasons.BookingCancelled : FailureReasons.BookingExpired;

    /// <summary>The payment if it is still PENDING; otherwise null (unknown, or settled by an earlier delivery).</summary>
    /// <remarks>
    /// Each read and write of the processing takes a connection of its own and gives it back at once: none is held
    /// across the gateway's call or another step's connection, so a full pool makes steps wait, never deadlock.
    /// </remarks>
    private async Task<PaymentToProcess?> PendingPaymentAsync(long paymentId, CancellationToken cancellationToken)
    {
        PaymentToProcess? payment;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            payment = await connection.QuerySingleOrDefaultAsync<PaymentToProcess>(GetPaymentForProcessing, new { PaymentId = paymentId });
        }

        if (payment is null)
        {
            LogUnknownPayment(paymentId);
            return null;
        }

        if (payment.Status != PaymentStatuses.Pending)
        {
            LogAlreadyProcessed(paymentId, payment.Status);
            return null;
        }

        return payment;
    }

    /// <summary>
    /// FAILED with the refund owed, in one statement; a payment another delivery already failed gets its refund owed
    /// again, since this delivery's charge may be the one it missed. Then one attempt at the refund. A payment that
    /// reached SUCCESS meanwhile is left alone: a SUCCESS payment is never refunded here.
    /// </summary>
    private async Task<bool> FailAndRefundAsync(
        PaymentToProcess payment, string reason, string? reference, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        if (!await FailAsync(payment, reason, reference, refunds.DueAt(now), cancellationToken))
        {
            var owed = new { payment.PaymentId, GatewayReference = reference, RefundDueAt = refunds.DueAt(now) };
            await db.WriteAsync((c, t) => c.ExecuteAsync(RequestRefund, owed, t), cancellationToken);
            await using var connection = await db.OpenAsync(cancellationToken);
            if (await connection.ExecuteScalarAsync<string>(GetPaymentStatus, new { payment.PaymentId }) != PaymentStatuses.Failed)
            {
                return false;
            }
        }

        return await refunds.TryRefundAsync(payment.PaymentId, cancellationToken);
    }

    /// <summary>Null when the payment is SUCCESS and its booking CONFIRMED; otherwise the failure reason to record.</summary>
    private async Task<string?> ConfirmAsync(PaymentToProcess payment, string? reference, CancellationToken cancellationToken)
    {
        await using var write = await db.WriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);

        // Read once the write lock is held: waiting for it must not let a hold that ended meanwhile be confirmed.
        var now = clock.UnixMsNow();
        var paid = await connection.ExecuteAsync(MarkPaymentSucceeded, new { payment.PaymentId, GatewayReference = reference, Now = now }, transaction);
        if (paid == 0)
        {
            // Another delivery got here first. If it confirmed, all is done; if the payment ended otherwise, the
            // caller refunds (the gateway's refund is idempotent too).
            var status = await connection.ExecuteScalarAsync<string>(GetPaymentStatus, new { payment.PaymentId }, transaction);
            return status == PaymentStatuses.Success ? null : FailureReasons.BookingExpired;
        }

        var confirmed = await connection.ExecuteAsync(ConfirmBooking, new { payment.BookingId, Now = now }, transaction);
        if (confirmed == 0)
        {
            var bookingStatus = await connection.ExecuteScalarAsync<string>(GetBookingStatus, new { payment.BookingId }, transaction);
            await write.DisposeAsync();
            return ReasonFor(bookingStatus ?? "");
        }

        var sold = await connection.ExecuteAsync(SellSeatClaims, new { payment.BookingId }, transaction);
        await write.CommitAsync(cancellationToken);
        AppMetrics.PaymentSucceeded(sold, TimeSpan.FromMilliseconds(now - payment.CreatedAt));
        return null;
    }

    private async Task<bool> FailAsync(
        PaymentToProcess payment, string reason, string? reference, long? refundDueAt, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        var failed = new { payment.PaymentId, FailureReason = reason, GatewayReference = reference, RefundDueAt = refundDueAt, Now = now };
        var changed = await db.WriteAsync((c, t) => c.ExecuteAsync(MarkPaymentFailed, failed, t), cancellationToken);
        if (changed > 0)
        {
            LogFailed(payment.PaymentId, reason);
            AppMetrics.PaymentFailed(reason, TimeSpan.FromMilliseconds(now - payment.CreatedAt));
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

        public long CreatedAt { get; init; }

        public string BookingStatus { get; init; } = "";

        public long BookingExpiresAt { get; init; }
    }
}
