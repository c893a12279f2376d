-- Before a write reclaims ended holds on a showtime, their bookings are stored as EXPIRED (they already read so).
UPDATE bookings
SET status = 'EXPIRED'
WHERE status = 'PENDING'
  AND id IN (SELECT booking_id FROM seat_claims
             WHERE showtime_id = @ShowtimeId AND expires_at IS NOT NULL AND expires_at <= @Now);
