INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, created_at, trace_parent)
VALUES (@BookingId, @UserId, @AmountCents, @PaymentToken, 'PENDING', @Now, @TraceParent)
RETURNING id AS Id, booking_id AS BookingId, amount_cents AS AmountCents, status AS Status,
          failure_reason AS FailureReason, created_at AS CreatedAt, processed_at AS ProcessedAt;
