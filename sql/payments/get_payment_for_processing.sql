SELECT p.id AS Id, p.booking_id AS BookingId, p.amount_cents AS AmountCents, p.payment_token AS PaymentToken,
       p.status AS Status, p.created_at AS CreatedAt, b.status AS BookingStatus, b.expires_at AS BookingExpiresAt,
       b.seat_count AS SeatCount, s.starts_at AS StartsAt
FROM payments p
JOIN bookings b ON b.id = p.booking_id
JOIN showtimes s ON s.id = b.showtime_id
WHERE p.id = @PaymentId;
