UPDATE payments
SET status = 'REFUNDED', refunded_at = @Now
WHERE id = @PaymentId AND status = 'SUCCESS';
