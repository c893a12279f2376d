-- The seats one user holds or has bought for a showtime (live claims only).
SELECT count(*)
FROM seat_claims c
JOIN bookings b ON b.id = c.booking_id
WHERE c.showtime_id = @ShowtimeId AND b.user_id = @UserId
  AND (c.expires_at IS NULL OR c.expires_at > @Now);
