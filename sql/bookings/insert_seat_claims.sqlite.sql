-- The primary key (showtime_id, seat) refuses a seat that another booking claims: the last line of defence.
INSERT INTO seat_claims (showtime_id, seat, booking_id, expires_at)
SELECT @ShowtimeId, value, @BookingId, @ExpiresAt FROM json_each(@Seats);
