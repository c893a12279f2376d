INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
VALUES (@ShowtimeId, @UserId, @SeatCount, @UnitPriceCents, @TotalPriceCents, 'PENDING', @Now, @ExpiresAt)
RETURNING id;
