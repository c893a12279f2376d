-- The live claims of a showtime: sold (no end) or held until a time still ahead.
SELECT seat, expires_at AS ExpiresAt
FROM seat_claims
WHERE showtime_id = @ShowtimeId AND (expires_at IS NULL OR expires_at > @Now);
