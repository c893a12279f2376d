-- The cancelled booking's payment is refunded as far as the app is concerned, with the reason; refund_due_at records
-- that the gateway's refund is still owed, so it is carried out after the commit or, after a crash, by the refund sweep.
UPDATE payments
SET status = 'REFUNDED', failure_reason = 'booking_cancelled', refunded_at = @Now, refund_due_at = @RefundDueAt
WHERE id = @PaymentId AND status = 'SUCCESS';
