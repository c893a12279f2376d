-- Refunds owed and not yet made, due or not (the tickets.refunds.owed gauge).
SELECT count(*) FROM payments WHERE refund_due_at IS NOT NULL;
