using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using TicketFunctions.Common;
using TicketFunctions.Data;

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

    /// <summary>Ids of PENDING payments created more than <see cref="PaymentOptions.ResendAfter"/> ago, oldest first.</summary>
    public async Task<IReadOnlyList<long>> FindStaleAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var ids = await connection.QueryAsync<long>(new CommandDefinition(
            FindStalePendingPayments.For(connection),
            new { Cutoff = clock.UnixMsNow() - (long)options.Value.ResendAfter.TotalMilliseconds, Limit = BatchSize },
            cancellationToken: cancellationToken));
        return [.. ids];
    }

    /// <summary>The messages to write again, as the worker writes a <see cref="PaymentMessage"/> (<c>{"PaymentId":1}</c>).</summary>
    public async Task<string[]> MessagesAsync(CancellationToken cancellationToken)
        => [.. (await FindStaleAsync(cancellationToken)).Select(id => JsonSerializer.Serialize(new PaymentMessage(id)))];
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
}
