SELECT id AS PaymentId, gateway_reference AS GatewayReference, amount_cents AS AmountCents
FROM payments
WHERE id = @PaymentId AND refund_due_at IS NOT NULL;
