using Dapper;
using TicketFunctions.Data;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// The simulated gateway's ledger (gateway_charges) read beside the payments, once everything has settled: money
/// taken is SUCCESS (kept, its booking CONFIRMED) or REFUNDED with a reason (and refunded at the gateway); FAILED
/// and nothing else means the gateway holds no charge; no payment is still PENDING and no refund is still owed.
/// </summary>
public static class Ledger
{
    /// <summary>Waits until no payment is PENDING and no refund is owed, then answers <see cref="DisagreementsAsync"/>.</summary>
    public static async Task<List<string>> WhenSettledAsync(Db db)
    {
        await Eventually.True(
            async () =>
            {
                await using var connection = await db.OpenAsync();
                return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM payments WHERE status = 'PENDING' OR refund_due_at IS NOT NULL") == 0;
            },
            "every payment has left PENDING and no refund is owed",
            TimeSpan.FromSeconds(90));
        return await DisagreementsAsync(db);
    }

    /// <summary>Every payment whose status the ledger contradicts, with why; empty when they agree.</summary>
    public static async Task<List<string>> DisagreementsAsync(Db db)
    {
        var rows = await RowsAsync(db);
        var wrong = new List<string>();
        foreach (var p in rows)
        {
            var charged = p.Approved == true;
            var refunded = p.RefundedAt is not null;
            var problem = p.Status switch
            {
                "SUCCESS" when !charged || refunded => "SUCCESS but the gateway holds no kept charge",
                "SUCCESS" when p.BookingStatus != "CONFIRMED" => $"SUCCESS but its booking is {p.BookingStatus}",
                "REFUNDED" when !charged || !refunded => "REFUNDED but the gateway refunded nothing",
                "REFUNDED" when p.FailureReason is null => "REFUNDED without a reason",
                "FAILED" when charged => $"FAILED ({p.FailureReason}) but the gateway charged it",
                "PENDING" => "still PENDING",
                _ when p.RefundDueAt is not null => $"{p.Status} with a refund still owed",
                _ => null,
            };
            if (problem is not null)
            {
                wrong.Add($"payment {p.Id}: {problem}");
            }
        }

        await using var connection = await db.OpenAsync();
        var orphans = await connection.QueryAsync<long>("SELECT payment_id FROM gateway_charges WHERE payment_id NOT IN (SELECT id FROM payments)");
        wrong.AddRange(orphans.Select(id => $"gateway charge for unknown payment {id}"));
        return wrong;
    }

    /// <summary>Counts for a test's report: charged, success, refunded by reason, failed by reason.</summary>
    public static async Task<string> SummaryAsync(Db db)
    {
        var rows = await RowsAsync(db);
        static string ByReason(IEnumerable<Row> rows) =>
            string.Join(", ", rows.GroupBy(r => r.FailureReason ?? "none").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        var refunded = rows.Where(r => r.Status == "REFUNDED").ToList();
        var failed = rows.Where(r => r.Status == "FAILED").ToList();
        return $"payments {rows.Count}; charged {rows.Count(r => r.Approved == true)}; success {rows.Count(r => r.Status == "SUCCESS")}; "
            + $"refunded {refunded.Count} ({ByReason(refunded)}); failed {failed.Count} ({ByReason(failed)})";
    }

    private static async Task<List<Row>> RowsAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        return [.. await connection.QueryAsync<Row>(
            """
            SELECT p.id AS Id, p.status AS Status, p.failure_reason AS FailureReason, p.refund_due_at AS RefundDueAt,
                   b.status AS BookingStatus, g.approved AS Approved, g.refunded_at AS RefundedAt
            FROM payments p
            JOIN bookings b ON b.id = p.booking_id
            LEFT JOIN gateway_charges g ON g.payment_id = p.id
            ORDER BY p.id
            """)];
    }

    private sealed record Row
    {
        public long Id { get; init; }

        public string Status { get; init; } = "";

        public string? FailureReason { get; init; }

        public long? RefundDueAt { get; init; }

        public string BookingStatus { get; init; } = "";

        public bool? Approved { get; init; }

        public long? RefundedAt { get; init; }
    }
}
