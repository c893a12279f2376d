-- Today's hold (sql/bookings/lock_showtime + reclaim + taken/live seats + insert): the showtime's row lock is taken
-- first and kept across four more round trips, so every hold of the showtime waits for the one before.
\set booking random(1, 1000000000)
BEGIN;
SELECT id FROM showtimes WHERE id = 1 FOR UPDATE;
DELETE FROM seat_claims WHERE showtime_id = 1 AND expires_at IS NOT NULL AND expires_at <= 0;
SELECT seat FROM seat_claims WHERE showtime_id = 1 AND (expires_at IS NULL OR expires_at > 0);
INSERT INTO seat_claims (showtime_id, seat, booking_id, expires_at)
SELECT 1, g::text, :booking, 9000000000000 FROM generate_series(1, 100) g
WHERE NOT EXISTS (SELECT 1 FROM seat_claims c WHERE c.showtime_id = 1 AND c.seat = g::text)
ORDER BY g LIMIT 1;
COMMIT;
