UPDATE payments
SET status = 'FAILED', failure_reason = @FailureReason, processed_at = @Now, gateway_reference = @GatewayReference
WHERE id = @PaymentId AND status = 'PENDING';
