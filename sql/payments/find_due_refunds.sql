-- Refunds still owed whose time has come: never attempted since a crash, or their last attempt failed or timed out.
SELECT id AS PaymentId, refund_due_at AS RefundDueAt, trace_parent AS TraceParent
FROM payments
WHERE refund_due_at IS NOT NULL AND refund_due_at <= @Now
ORDER BY refund_due_at, id
LIMIT @Limit;
