SELECT count(*) FROM gateway_charges WHERE payment_id = @PaymentId AND approved = TRUE;
