INSERT INTO gateway_charges (payment_id, payment_token, amount_cents, approved, reference, failure_reason, charged_at)
VALUES (@PaymentId, @PaymentToken, @AmountCents, @Approved, @Reference, @FailureReason, @Now)
ON CONFLICT (payment_id) DO NOTHING;
