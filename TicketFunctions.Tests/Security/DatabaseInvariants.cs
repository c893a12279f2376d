using Dapper;
using TicketFunctions.Data;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Security;

/// <summary>What must hold in the database whatever requests came in: no half-written bookings or payments.</summary>
public static class DatabaseInvariants
{
    private static readonly (string Rule, string Sql)[] Rules =
    [
        ("every booking has exactly seat_count seats",
            "SELECT b.id FROM bookings b WHERE b.seat_count <> (SELECT count(*) FROM booking_seats s WHERE s.booking_id = b.id)"),
        ("every live PENDING or CONFIRMED booking claims all its seats",
            "SELECT b.id FROM bookings b WHERE (b.status = 'CONFIRMED' OR (b.status = 'PENDING' AND b.expires_at > @Now)) "
            + "AND b.seat_count <> (SELECT count(*) FROM seat_claims c WHERE c.booking_id = b.id)"),
        ("every claim is for one of its booking's seats, on its booking's showtime",
            "SELECT c.booking_id FROM seat_claims c JOIN bookings b ON b.id = c.booking_id "
            + "WHERE c.showtime_id <> b.showtime_id OR NOT EXISTS (SELECT 1 FROM booking_seats s WHERE s.booking_id = c.booking_id AND s.seat = c.seat)"),
        ("no CANCELLED or EXPIRED booking still claims a seat",
            "SELECT c.booking_id FROM seat_claims c JOIN bookings b ON b.id = c.booking_id WHERE b.status IN ('CANCELLED', 'EXPIRED')"),
        ("a sold seat belongs to a CONFIRMED booking and a held one to a PENDING booking",
            "SELECT c.booking_id FROM seat_claims c JOIN bookings b ON b.id = c.booking_id "
            + "WHERE (c.expires_at IS NULL AND b.status <> 'CONFIRMED') OR (c.expires_at IS NOT NULL AND b.status <> 'PENDING')"),
        ("every booking is priced unit x count at a positive unit price",
            "SELECT b.id FROM bookings b WHERE b.total_price_cents <> b.unit_price_cents * b.seat_count OR b.unit_price_cents <= 0"),
        ("every payment has its booking, its booking's user and its booking's total",
            "SELECT p.id FROM payments p LEFT JOIN bookings b ON b.id = p.booking_id "
            + "WHERE b.id IS NULL OR b.user_id <> p.user_id OR b.total_price_cents <> p.amount_cents"),
        ("a CONFIRMED booking has a SUCCESS payment",
            "SELECT b.id FROM bookings b WHERE b.status = 'CONFIRMED' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'SUCCESS')"),
        ("a SUCCESS payment's booking is CONFIRMED",
            "SELECT p.id FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE p.status = 'SUCCESS' AND b.status <> 'CONFIRMED'"),
        ("every idempotency key names a payment of its user",
            "SELECT k.key FROM idempotency_keys k WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.user_id = k.user_id "
            + (TestApp.Provider == DbProvider.Postgres
                ? "AND p.id = CAST(CAST(k.response_body AS jsonb) ->> 'id' AS BIGINT))"
                : "AND p.id = json_extract(k.response_body, '$.id'))")),
        ("every user has a PBKDF2 hash, never a short or plain one",
            "SELECT u.id FROM users u WHERE length(u.password_hash) < 60"),
    ];

    /// <summary>Every broken rule with the offending row ids; empty when the data is whole.</summary>
    public static async Task<List<string>> BrokenAsync(Db db)
    {
        var broken = new List<string>();
        await using var connection = await db.OpenAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (rule, sql) in Rules)
        {
            var rows = (await connection.QueryAsync<object>(sql, new { Now = now })).ToList();
            if (rows.Count > 0)
            {
                broken.Add($"{rule}: {rows.Count} rows, e.g. {string.Join(", ", rows.Take(5).Select(r => ((IDictionary<string, object>)r).Values.First()))}");
            }
        }

        if (db.Provider == DbProvider.Postgres)
        {
            // PostgreSQL checks foreign keys on every write and has no integrity_check pragma.
            return broken;
        }

        var foreignKeys = (await connection.QueryAsync("PRAGMA foreign_key_check")).ToList();
        if (foreignKeys.Count > 0)
        {
            broken.Add($"foreign keys: {foreignKeys.Count} dangling references");
        }

        var integrity = await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check");
        if (integrity != "ok")
        {
            broken.Add($"integrity_check: {integrity}");
        }

        return broken;
    }
}
