SELECT payment_id AS PaymentId, approved AS Approved, reference AS Reference, failure_reason AS FailureReason,
       refund_reference AS RefundReference, refunded_at AS RefundedAt
FROM gateway_charges
WHERE payment_id = @PaymentId;
