-- One statement: the first free (or ended) seat row that no other hold is claiming is locked and marked. A hold
-- never waits behind another; a sold-out house answers zero rows at once.
\set booking random(1, 1000000000)
UPDATE showtime_seats s
SET booking_id = :booking, expires_at = 9000000000000
FROM (SELECT showtime_id, seat_no FROM showtime_seats
      WHERE showtime_id = 1 AND (booking_id IS NULL OR expires_at <= 0)
      ORDER BY seat_no LIMIT 1
      FOR UPDATE SKIP LOCKED) free
WHERE s.showtime_id = free.showtime_id AND s.seat_no = free.seat_no
RETURNING s.seat_no;
