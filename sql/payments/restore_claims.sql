-- A payment that ends without being kept gives its processing window back: the PENDING booking's claims end when
-- the booking's own hold ends (which may already be past). Run before restore_hold.sql, which reads the same row.
UPDATE seat_claims
SET expires_at = (SELECT b.extended_from FROM bookings b WHERE b.id = @BookingId)
WHERE booking_id = @BookingId AND expires_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = @BookingId AND b.status = 'PENDING' AND b.extended_from IS NOT NULL);
