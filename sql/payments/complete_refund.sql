-- The gateway has answered for good: nothing more is owed. When it did refund a charge (@Refunded), the payment reads
-- REFUNDED, also one that failed before a charge an earlier delivery made was known; otherwise it keeps its status.
UPDATE payments
SET refund_due_at = NULL,
    status = CASE WHEN @Refunded THEN 'REFUNDED' ELSE status END,
    refunded_at = CASE WHEN @Refunded THEN COALESCE(refunded_at, @Now) ELSE refunded_at END
WHERE id = @PaymentId AND refund_due_at IS NOT NULL;
