-- The first half of a payment's processing window (PaymentService): the booking's live claims run at least until
-- @ProcessingEndsAt. Answers how many live claims the booking has; fewer than its seats means the hold has ended.
-- Claims before the booking's row, in the order a hold's reclaim of ended claims takes them.
UPDATE seat_claims
SET expires_at = CASE WHEN expires_at < @ProcessingEndsAt THEN @ProcessingEndsAt ELSE expires_at END
WHERE booking_id = @BookingId AND expires_at > @Now;
