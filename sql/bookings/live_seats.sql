SELECT seat
FROM seat_claims
WHERE showtime_id = @ShowtimeId AND (expires_at IS NULL OR expires_at > @Now);
