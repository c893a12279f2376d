UPDATE gateway_charges
SET refund_reference = @RefundReference, refunded_at = @Now
WHERE payment_id = @PaymentId AND approved = 1 AND refunded_at IS NULL;
