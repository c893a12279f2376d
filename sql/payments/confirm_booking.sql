-- Confirms a PENDING booking whose showtime has not started; run after sell_seat_claims.sql has sold every one of its
-- seats, so a booking is confirmed only while its seats are still its own, even after its hold's end (as long as no
-- other hold took them). The start is checked here, in the same statement as the change.
UPDATE bookings
SET status = 'CONFIRMED', confirmed_at = @Now
WHERE id = @BookingId AND status = 'PENDING'
  AND EXISTS (SELECT 1 FROM showtimes s WHERE s.id = bookings.showtime_id AND s.starts_at > @Now);
