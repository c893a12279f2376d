-- A hold's rows in one statement: the booking, its seats (@Seats, a JSON array of labels) and their claims; answers
-- the booking's id. The claims' primary key (showtime_id, seat) refuses a seat that another booking claims: the last
-- line of defence. Foreign keys are checked at the end of the statement, when the booking exists.
WITH booking AS (
    INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
    VALUES (@ShowtimeId, @UserId, @SeatCount, @UnitPriceCents, @TotalPriceCents, 'PENDING', @Now, @ExpiresAt)
    RETURNING id
), seats AS (
    INSERT INTO booking_seats (booking_id, seat)
    SELECT booking.id, s.value FROM booking, jsonb_array_elements_text(CAST(@Seats AS jsonb)) s
), claims AS (
    INSERT INTO seat_claims (showtime_id, seat, booking_id, expires_at)
    SELECT @ShowtimeId, s.value, booking.id, @ExpiresAt FROM booking, jsonb_array_elements_text(CAST(@Seats AS jsonb)) s
)
SELECT id FROM booking;
