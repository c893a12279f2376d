-- The second half of a payment's processing window: a PENDING booking whose hold still runs holds its seats at least
-- until @ProcessingEndsAt, remembering its own end (extended_from) for the payment that is not kept. 0 rows: the
-- hold has ended or the booking changed, and the payment is refused.
UPDATE bookings
SET extended_from = CASE WHEN expires_at < @ProcessingEndsAt THEN COALESCE(extended_from, expires_at) ELSE extended_from END,
    expires_at = CASE WHEN expires_at < @ProcessingEndsAt THEN @ProcessingEndsAt ELSE expires_at END
WHERE id = @BookingId AND status = 'PENDING' AND expires_at > @Now;
