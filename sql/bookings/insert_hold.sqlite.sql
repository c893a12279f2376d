-- A hold's rows once SQLite's one writer has checked the showtime and the caller's limit: the booking, its seats
-- (@Seats, a JSON array of labels), the bookings of ended holds on those seats stored as EXPIRED (they already read
-- so), and the seat rows claimed in place, each only if it has no live claim. Answers the booking's id and how many
-- seats were claimed: fewer than asked means a named seat is taken, and the caller rolls back. booking_seats and
-- seat_claims are WITHOUT ROWID tables, so last_insert_rowid() stays the booking's id.
INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
VALUES (@ShowtimeId, @UserId, @SeatCount, @UnitPriceCents, @TotalPriceCents, 'PENDING', @Now, @ExpiresAt);

INSERT INTO booking_seats (booking_id, seat)
SELECT last_insert_rowid(), value FROM json_each(@Seats);

UPDATE bookings
SET status = 'EXPIRED'
WHERE +status = 'PENDING'
  AND id IN (SELECT booking_id FROM seat_claims
             WHERE showtime_id = @ShowtimeId AND seat IN (SELECT value FROM json_each(@Seats))
               AND expires_at IS NOT NULL AND expires_at <= @Now);

UPDATE seat_claims
SET booking_id = last_insert_rowid(), expires_at = @ExpiresAt
WHERE showtime_id = @ShowtimeId AND seat IN (SELECT value FROM json_each(@Seats))
  AND expires_at IS NOT NULL AND expires_at <= @Now;

SELECT 'held' AS Outcome, last_insert_rowid() AS BookingId, changes() AS Claimed;
