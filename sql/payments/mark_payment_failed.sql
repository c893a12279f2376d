-- @RefundDueAt is set when a charge may exist (the payment fails after or instead of a charge that another delivery
-- may have made): the refund of whatever the gateway holds is then owed, in the same statement as the failure.
UPDATE payments
SET status = 'FAILED', failure_reason = @FailureReason, processed_at = @Now, gateway_reference = @GatewayReference,
    refund_due_at = @RefundDueAt
WHERE id = @PaymentId AND status = 'PENDING';
