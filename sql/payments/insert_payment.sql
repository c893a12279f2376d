INSERT INTO payments (booking_id, user_id, amount_cents, payment_token, status, created_at)
VALUES (@BookingId, @UserId, @AmountCents, @PaymentToken, 'PENDING', @Now)
RETURNING id AS Id, booking_id AS BookingId, amount_cents AS AmountCents, status AS Status,
          failure_reason AS FailureReason, created_at AS CreatedAt, processed_at AS ProcessedAt;
