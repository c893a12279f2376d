-- The booking's hold ends at its own end again once the payment that extended it has ended without being kept.
UPDATE bookings
SET expires_at = extended_from, extended_from = NULL
WHERE id = @BookingId AND status = 'PENDING' AND extended_from IS NOT NULL;
