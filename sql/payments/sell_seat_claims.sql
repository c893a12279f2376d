-- A NULL expires_at marks the claim as sold: it never ends.
UPDATE seat_claims SET expires_at = NULL WHERE booking_id = @BookingId;
