UPDATE payments
SET status = 'SUCCESS', processed_at = @Now, gateway_reference = @GatewayReference
WHERE id = @PaymentId AND status = 'PENDING';
