-- A NULL expires_at marks the claim as sold: it never ends. Sells the claims the booking still owns (an ended hold's
-- claims stay its own until another hold reclaims them); fewer rows than its seats means some were taken.
UPDATE seat_claims SET expires_at = NULL WHERE booking_id = @BookingId AND expires_at IS NOT NULL;
