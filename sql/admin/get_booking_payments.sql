SELECT p.id AS Id, p.booking_id AS BookingId, p.amount_cents AS AmountCents, p.status AS Status,
       p.failure_reason AS FailureReason, p.created_at AS CreatedAt, p.processed_at AS ProcessedAt
FROM payments p
WHERE p.booking_id = @BookingId
ORDER BY p.id;
