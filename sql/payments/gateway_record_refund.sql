UPDATE gateway_charges
SET refund_reference = @RefundReference, refunded_at = @Now
WHERE payment_id = @PaymentId AND approved = TRUE AND refunded_at IS NULL;
