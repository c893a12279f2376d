SELECT count(*)
FROM bookings b
WHERE b.user_id = @CallerId
  AND (@Status IS NULL
       OR (CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END) = @Status);
