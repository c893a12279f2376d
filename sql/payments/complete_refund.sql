-- The gateway has answered for good: nothing more is owed.
UPDATE payments
SET refund_due_at = NULL
WHERE id = @PaymentId AND refund_due_at IS NOT NULL;
