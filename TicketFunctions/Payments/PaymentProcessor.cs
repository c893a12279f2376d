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
/// sent to the gateway again. Money the gateway took ends SUCCESS (booking CONFIRMED) or REFUNDED with the reason it
/// could not be kept; FAILED means nothing was charged. A payment that ends without being kept gives its booking's hold
/// back its own end (the processing window <see cref="PaymentOptions.ProcessingHold"/> lasts only while it is PENDING).
/// A refund is recorded as owed with the change that needs it and made after the commit (<see cref="Refunds"/>); the
/// refund sweep finishes it if this process dies first.
/// </summary>
public sealed partial class PaymentProcessor(Db db, IPaymentGateway gateway, Refunds refunds, TimeProvider clock, ILogger<PaymentProcessor> logger)
{
    private static readonly SqlScript GetPaymentForProcessing = Sql.Load("payments/get_payment_for_processing");
    private static readonly SqlScript MarkPaymentSucceeded = Sql.Load("payments/mark_payment_succeeded");
    private static readonly SqlScript MarkPaymentFailed = Sql.Load("payments/mark_payment_failed");
    private static readonly SqlScript MarkPaymentRefunded = Sql.Load("payments/mark_payment_refunded");
    private static readonly SqlScript RequestRefund = Sql.Load("payments/request_refund");
    private static readonly SqlScript ConfirmBooking = Sql.Load("payments/confirm_booking");
    private static readonly SqlScript SellSeatClaims = Sql.Load("payments/sell_seat_claims");
    private static readonly SqlScript RestoreClaims = Sql.Load("payments/restore_claims");
    private static readonly SqlScript RestoreHold = Sql.Load("payments/restore_hold");
    private static readonly SqlScript GetPaymentStatus = Sql.Load("payments/get_payment_status");
    private static readonly SqlScript GetUnkeptReason = Sql.Load("payments/get_unkept_reason");

    public async Task ProcessAsync(long paymentId, CancellationToken cancellationToken)
    {
        if (await PendingPaymentAsync(paymentId, cancellationToken) is not { } payment)
        {
            return;
        }

        if (Unpayable(payment, clock.UnixMsNow()) is { } reason)
        {
            // Nothing is charged. An earlier delivery may have charged and died before confirming, so whatever the
            // gateway holds for this payment is refunded (a no-op when it holds nothing; REFUNDED when it held a charge).
            await SettleAsync(payment, PaymentStatuses.Failed, reason, null, refundOwed: true, cancellationToken);
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
            // The gateway keeps its first answer for a payment id: a declined payment can never be charged.
            await SettleAsync(payment, PaymentStatuses.Failed, FailureReasons.OfDecline(charge.FailureReason), null, refundOwed: false, cancellationToken);
            return;
        }

        string? unkept;
        using (AppActivities.Source.StartActivity("confirm payment"))
        {
            unkept = await ConfirmAsync(payment, charge.Reference, cancellationToken);
        }

        if (unkept is null)
        {
            LogSucceeded(paymentId, payment.BookingId);
            return;
        }

        // Charged, but the seats could not be kept (the booking was cancelled, another hold took them after the
        // processing window, the showtime started): the payment is REFUNDED with that reason and the money goes back.
        await SettleAsync(payment, PaymentStatuses.Refunded, unkept, charge.Reference, refundOwed: true, cancellationToken);
    }

    /// <summary>
    /// A message that failed every retry: the payment becomes FAILED (processing_failed) unless it already left
    /// PENDING, and any charge the gateway made for it is refunded (the payment then reads REFUNDED), so no payment
    /// stays PENDING, or charged for nothing.
    /// </summary>
    public async Task FailPoisonedAsync(long paymentId, CancellationToken cancellationToken)
    {
        if (await PendingPaymentAsync(paymentId, cancellationToken) is not { } payment)
        {
            return;
        }

        var refunded = await SettleAsync(payment, PaymentStatuses.Failed, FailureReasons.ProcessingFailed, null, refundOwed: true, cancellationToken);
        LogPoisoned(paymentId, refunded);
    }

    /// <summary>Why the payment must not be charged as things stand, or null when it may be.</summary>
    private static string? Unpayable(PaymentToProcess payment, long now)
    {
        if (payment.BookingStatus == "CANCELLED")
        {
            return FailureReasons.BookingCancelled;
        }

        if (payment.StartsAt <= now)
        {
            return FailureReasons.ShowtimeStarted;
        }

        return payment.BookingStatus != "PENDING" || payment.BookingExpiresAt <= now ? FailureReasons.BookingExpired : null;
    }

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
    /// Ends a PENDING payment that is not kept, as FAILED or REFUNDED with its reason, and gives its booking's hold back
    /// its own end, in one transaction; with <paramref name="refundOwed"/> the refund of whatever the gateway holds is
    /// owed in the same statement, then tried once. A payment another delivery already failed gets its refund owed
    /// again, since this delivery's charge may be the one it missed. A payment that reached SUCCESS meanwhile is left
    /// alone: a SUCCESS payment is never refunded here. True when the gateway refunded a charge.
    /// </summary>
    private async Task<bool> SettleAsync(
        PaymentToProcess payment, string status, string reason, string? reference, bool refundOwed, CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        long? refundDueAt = refundOwed ? refunds.DueAt(now) : null;
        var settled = new { payment.PaymentId, payment.BookingId, FailureReason = reason, GatewayReference = reference, RefundDueAt = refundDueAt, Now = now };
        var changed = await db.WriteAsync(
            async (c, t) =>
            {
                // Payment, then claims, then booking: the order every write of a payment takes them in.
                var marked = await c.ExecuteAsync(status == PaymentStatuses.Refunded ? MarkPaymentRefunded : MarkPaymentFailed, settled, t);
                if (marked > 0)
                {
                    await c.ExecuteAsync(RestoreClaims, settled, t);
                    await c.ExecuteAsync(RestoreHold, settled, t);
                }

                return marked;
            },
            cancellationToken);
        if (changed > 0)
        {
            LogSettled(payment.PaymentId, status, reason);
            var sinceAccepted = TimeSpan.FromMilliseconds(now - payment.CreatedAt);
            if (status == PaymentStatuses.Refunded)
            {
                AppMetrics.PaymentRefunded(reason, sinceAccepted);
            }
            else
            {
                AppMetrics.PaymentFailed(reason, sinceAccepted);
            }
        }
        else if (refundOwed)
        {
            var owed = new { payment.PaymentId, GatewayReference = reference, RefundDueAt = refunds.DueAt(now) };
            await db.WriteAsync((c, t) => c.ExecuteAsync(RequestRefund, owed, t), cancellationToken);
            await using var connection = await db.OpenAsync(cancellationToken);
            if (await connection.ExecuteScalarAsync<string>(GetPaymentStatus, new { payment.PaymentId }) == PaymentStatuses.Success)
            {
                return false;
            }
        }

        return refundOwed && await refunds.TryRefundAsync(payment.PaymentId, cancellationToken);
    }

    /// <summary>
    /// Null when the payment is SUCCESS and its booking CONFIRMED with every one of its seats sold; otherwise nothing of
    /// the attempt is kept and the answer is the reason the seats could not be kept.
    /// </summary>
    private async Task<string?> ConfirmAsync(PaymentToProcess payment, string? reference, CancellationToken cancellationToken)
    {
        await using var write = await db.WriteAsync(cancellationToken);
        var (connection, transaction) = (write.Connection, write.Transaction);

        // Read once the write lock is held: waiting for it must not let a showtime that started meanwhile be sold.
        var now = clock.UnixMsNow();
        var paid = await connection.ExecuteAsync(MarkPaymentSucceeded, new { payment.PaymentId, GatewayReference = reference, Now = now }, transaction);
        if (paid == 0)
        {
            // Another delivery got here first. If it confirmed, all is done; if the payment ended otherwise, the
            // caller owes the refund again (the gateway's refund is idempotent too).
            var status = await connection.ExecuteScalarAsync<string>(GetPaymentStatus, new { payment.PaymentId }, transaction);
            return status == PaymentStatuses.Success ? null : FailureReasons.BookingExpired;
        }

        // The seats first (claims before the booking, the order a hold's reclaim locks them in): every one must still
        // be the booking's own, whether or not its hold has ended; then the booking, if its showtime has not started
        // by the time the claims' row locks are held (PostgreSQL's writers wait for each other there).
        var sold = await connection.ExecuteAsync(SellSeatClaims, new { payment.BookingId }, transaction);
        now = clock.UnixMsNow();
        var confirmed = sold == payment.SeatCount && await connection.ExecuteAsync(ConfirmBooking, new { payment.BookingId, Now = now }, transaction) == 1;
        if (!confirmed)
        {
            var reason = await connection.ExecuteScalarAsync<string>(GetUnkeptReason, new { payment.BookingId, Now = now }, transaction);
            await write.DisposeAsync();
            return reason ?? FailureReasons.BookingExpired;
        }

        await write.CommitAsync(cancellationToken);
        AppMetrics.PaymentSucceeded(sold, TimeSpan.FromMilliseconds(now - payment.CreatedAt));
        return null;
    }

    [LoggerMessage(LogLevel.Warning, "Payment {PaymentId} does not exist; the message is dropped")]
    private partial void LogUnknownPayment(long paymentId);

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} is already {Status}; nothing to do")]
    private partial void LogAlreadyProcessed(long paymentId, string status);

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} succeeded; booking {BookingId} is confirmed")]
    private partial void LogSucceeded(long paymentId, long bookingId);

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} is {Status}: {Reason}")]
    private partial void LogSettled(long paymentId, string status, string reason);

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

        public long SeatCount { get; init; }

        public long StartsAt { get; init; }
    }
}
