-- Charged but not kept (the booking was cancelled, its seats were taken, the showtime started): REFUNDED with the
-- reason at once, and the gateway's refund owed in the same statement (made after the commit, or by the sweep).
UPDATE payments
SET status = 'REFUNDED', failure_reason = @FailureReason, processed_at = @Now, gateway_reference = @GatewayReference,
    refunded_at = @Now, refund_due_at = @RefundDueAt
WHERE id = @PaymentId AND status = 'PENDING';
