using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Telemetry;

namespace TicketFunctions.Payments;

/// <summary>
/// The payments table is the outbox: a PENDING payment whose message may have been lost (the queue was down when the
/// host wrote it, or an instance died first) is found here and its <c>{PaymentId}</c> message written again. Duplicates
/// are harmless because processing is idempotent; any number of instances may run it at once.
/// </summary>
public sealed class PendingPaymentResender(Db db, TimeProvider clock, IOptions<PaymentOptions> options)
{
    private const int BatchSize = 500;

    private static readonly SqlScript FindStalePendingPayments = Sql.Load("payments/find_stale_pending_payments");

    /// <summary>The messages of PENDING payments created more than <see cref="PaymentOptions.ResendAfter"/> ago, oldest first, with their requests' traceparents.</summary>
    public async Task<IReadOnlyList<PaymentMessage>> FindStaleAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var stale = await connection.QueryAsync<StalePayment>(new CommandDefinition(
            FindStalePendingPayments.For(connection),
            new { Cutoff = clock.UnixMsNow() - (long)options.Value.ResendAfter.TotalMilliseconds, Limit = BatchSize },
            cancellationToken: cancellationToken));
        return [.. stale.Select(p => new PaymentMessage(p.PaymentId, p.TraceParent))];
    }

    /// <summary>
    /// The messages to write again, as the worker writes a <see cref="PaymentMessage"/> (<c>{"PaymentId":1,"TraceParent":"00-..."}</c>),
    /// under a span linked to each payment's request.
    /// </summary>
    public async Task<string[]> MessagesAsync(CancellationToken cancellationToken)
    {
        var stale = await FindStaleAsync(cancellationToken);
        if (stale.Count > 0)
        {
            using var resend = AppActivities.StartLinked("resend pending payments", stale.Select(m => m.TraceParent));
            resend?.SetTag("tickets.payments.resent", stale.Count);
        }

        return [.. stale.Select(m => JsonSerializer.Serialize(m))];
    }

    private sealed record StalePayment
    {
        public long PaymentId { get; init; }

        public string? TraceParent { get; init; }
    }
}

/// <summary>Payment settings (section <c>Payments</c>).</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary>
    /// How old a PENDING payment must be before its message is written again (<c>Payments__ResendAfter</c>, one
    /// minute by default): long enough that the first message is normally processed by then.
    /// </summary>
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a payment accepted with 202 keeps its booking's seats for its processing (<c>Payments__ProcessingHold</c>,
    /// five minutes by default): on acceptance the hold runs at least until then; a payment that ends without being
    /// kept gives the hold back its own end. Long enough for the queue, the gateway's charge and the host's retries.
    /// </summary>
    public TimeSpan ProcessingHold { get; set; } = TimeSpan.FromMinutes(5);
}
