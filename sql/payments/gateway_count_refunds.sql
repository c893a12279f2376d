SELECT count(*) FROM gateway_charges WHERE payment_id = @PaymentId AND refunded_at IS NOT NULL;
