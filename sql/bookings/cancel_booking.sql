-- Cancels only from the status the caller saw, and a PENDING booking only while its hold lasts; 0 rows means
-- the booking changed meanwhile (confirmed, expired or cancelled).
UPDATE bookings
SET status = 'CANCELLED', cancelled_at = @Now
WHERE id = @Id AND status = @ExpectedStatus AND status IN ('PENDING', 'CONFIRMED')
  AND (status <> 'PENDING' OR expires_at > @Now);
