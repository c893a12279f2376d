-- Frees the seats of ended holds on a showtime (sold seats, expires_at NULL, never end), first storing their
-- bookings as EXPIRED (they already read so). The unary + keeps SQLite from walking ix_bookings_status over every
-- PENDING booking of every showtime: the few ended claims of this showtime are found first and their bookings
-- looked up by id.
UPDATE bookings
SET status = 'EXPIRED'
WHERE +status = 'PENDING'
  AND id IN (SELECT booking_id FROM seat_claims
             WHERE showtime_id = @ShowtimeId AND expires_at IS NOT NULL AND expires_at <= @Now);

DELETE FROM seat_claims
WHERE showtime_id = @ShowtimeId AND expires_at IS NOT NULL AND expires_at <= @Now;
