-- Only a booking whose hold is still running can be confirmed; an ended hold has already freed its seats.
UPDATE bookings
SET status = 'CONFIRMED', confirmed_at = @Now
WHERE id = @BookingId AND status = 'PENDING' AND expires_at > @Now;
