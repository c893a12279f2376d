-- A FAILED payment that a late charge reached: its refund is owed again (a refund already owed keeps its time).
UPDATE payments
SET refund_due_at = @RefundDueAt, gateway_reference = COALESCE(gateway_reference, @GatewayReference)
WHERE id = @PaymentId AND status = 'FAILED' AND refund_due_at IS NULL;
