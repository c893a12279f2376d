using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Payments;

/// <summary>How owed refunds are retried: the refund sweep's batch and how long one attempt owns a refund.</summary>
public sealed class RefundOptions
{
    /// <summary>After this long an attempt that has not finished (its process died, the gateway failed) is retried by the sweep.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Refunds:RetryAfter must be from 1 second to 1 day.")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 10_000, ErrorMessage = "Refunds:BatchSize must be from 1 to 10000.")]
    public int BatchSize { get; set; } = 100;
}

/// <summary>
/// The refund outbox. A refund is owed when payments.refund_due_at is set, which happens in the same transaction as
/// the change that needs it; the gateway is called only after that commit, so a crash can lose the call but never
/// the debt. The gateway's refund is idempotent by payment id, so a repeated attempt refunds once.
/// </summary>
public sealed partial class Refunds(Db db, IPaymentGateway gateway, TimeProvider clock, IOptions<RefundOptions> options, ILogger<Refunds> logger)
{
    private static readonly SqlScript GetOwedRefund = Sql.Load("payments/get_owed_refund");
    private static readonly SqlScript CompleteRefund = Sql.Load("payments/complete_refund");

    /// <summary>The refund_due_at to record with a new debt: the sweep leaves it to the committing caller until then.</summary>
    public long DueAt(long now) => now + (long)options.Value.RetryAfter.TotalMilliseconds;

    /// <summary>
    /// One attempt at the refund owed for the payment, if any: true once the gateway has refunded it. A fault or a
    /// decline leaves the refund owed for the sweep; it is logged, never thrown, because the caller has committed.
    /// </summary>
    public async Task<bool> TryRefundAsync(long paymentId, CancellationToken cancellationToken)
    {
        // Given back before the gateway's call and the write after it: no connection is held across another's.
        OwedRefund? owed;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            owed = await connection.QuerySingleOrDefaultAsync<OwedRefund>(GetOwedRefund, new { PaymentId = paymentId });
        }

        if (owed is null)
        {
            return false;
        }

        RefundResult refund;
        try
        {
            refund = await gateway.RefundAsync(new RefundRequest(paymentId, owed.GatewayReference, owed.AmountCents), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRefundFault(paymentId, e);
            return false;
        }

        // not_charged: the gateway holds no charge for the payment (it was declined, or never made), so nothing is owed.
        if (!refund.Refunded && refund.FailureReason != RefundResult.NotCharged)
        {
            LogRefundDeclined(paymentId, refund.FailureReason);
            return false;
        }

        // A charge the gateway refunded makes the payment REFUNDED, also one that failed before that charge was known.
        var done = new { PaymentId = paymentId, refund.Refunded, Now = clock.UnixMsNow() };
        var completed = await db.WriteAsync((c, t) => c.ExecuteAsync(CompleteRefund, done, t), cancellationToken);
        if (completed > 0 && refund.Refunded)
        {
            LogRefunded(paymentId, refund.Reference);
        }

        return refund.Refunded;
    }

    [LoggerMessage(LogLevel.Information, "Payment {PaymentId} was refunded by the gateway ({Reference})")]
    private partial void LogRefunded(long paymentId, string? reference);

    [LoggerMessage(LogLevel.Warning, "The gateway declined the refund of payment {PaymentId} ({Reason}); the refund sweep retries it")]
    private partial void LogRefundDeclined(long paymentId, string? reason);

    [LoggerMessage(LogLevel.Warning, "The refund of payment {PaymentId} failed; the refund sweep retries it")]
    private partial void LogRefundFault(long paymentId, Exception exception);

    private sealed record OwedRefund
    {
        public long PaymentId { get; init; }

        public string? GatewayReference { get; init; }

        public long AmountCents { get; init; }
    }
}

/// <summary>
/// Finishes the refunds that are owed and due (a crash after the commit, a gateway fault, a decline), a bounded batch
/// per run. Safe with many instances at once: each refund is claimed by a conditional update before the gateway call.
/// <see cref="RefundFunctions"/> runs it on the schedule in the app setting Refunds__SweepSchedule.
/// </summary>
public sealed partial class RefundSweep(Db db, Refunds refunds, TimeProvider clock, IOptions<RefundOptions> options, ILogger<RefundSweep> logger)
{
    private static readonly SqlScript FindDueRefunds = Sql.Load("payments/find_due_refunds");
    private static readonly SqlScript ClaimRefund = Sql.Load("payments/claim_refund");
    private static readonly SqlScript CountOwedRefunds = Sql.Load("payments/count_owed_refunds");

    /// <summary>One run: how many refunds the gateway made.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.UnixMsNow();
        List<DueRefund> due;
        await using (var connection = await db.OpenAsync(cancellationToken))
        {
            due = [.. await connection.QueryAsync<DueRefund>(new CommandDefinition(
                FindDueRefunds.For(connection), new { Now = now, Limit = options.Value.BatchSize }, cancellationToken: cancellationToken))];
        }

        AppMetrics.RefundsOwedCounted(await CountOwedAsync(cancellationToken));
        if (due.Count == 0)
        {
            return 0;
        }

        using var sweep = AppActivities.StartLinked("sweep refunds", due.Select(d => d.TraceParent));
        var refunded = 0;
        foreach (var refund in due)
        {
            if (await ClaimAsync(refund, now, cancellationToken) && await refunds.TryRefundAsync(refund.PaymentId, cancellationToken))
            {
                refunded++;
            }
        }

        LogSwept(due.Count, refunded);
        return refunded;
    }

    private async Task<long> CountOwedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(CountOwedRefunds);
    }

    private async Task<bool> ClaimAsync(DueRefund refund, long now, CancellationToken cancellationToken)
    {
        var claim = new { refund.PaymentId, SeenDueAt = refund.RefundDueAt, NextDueAt = refunds.DueAt(now) };
        return await db.WriteAsync((connection, transaction) => connection.ExecuteAsync(ClaimRefund, claim, transaction), cancellationToken) == 1;
    }

    [LoggerMessage(LogLevel.Information, "Refund sweep: {Due} refund(s) due, {Refunded} made")]
    private partial void LogSwept(int due, int refunded);

    private sealed record DueRefund
    {
        public long PaymentId { get; init; }

        public long RefundDueAt { get; init; }

        public string? TraceParent { get; init; }
    }
}
