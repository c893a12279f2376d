-- Frees the seats of ended holds on a showtime (sold seats, expires_at NULL, never end) and stores their bookings as
-- EXPIRED (they already read so), in one statement.
WITH freed AS (
    DELETE FROM seat_claims
    WHERE showtime_id = @ShowtimeId AND expires_at IS NOT NULL AND expires_at <= @Now
    RETURNING booking_id
)
UPDATE bookings
SET status = 'EXPIRED'
WHERE status = 'PENDING' AND id IN (SELECT booking_id FROM freed);
