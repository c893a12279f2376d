-- PENDING payments created before the cutoff: their queue message may have been lost.
SELECT id AS PaymentId, trace_parent AS TraceParent FROM payments
WHERE status = 'PENDING' AND created_at < @Cutoff
ORDER BY created_at, id
LIMIT @Limit;
