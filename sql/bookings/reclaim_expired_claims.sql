-- Frees the seats of ended holds on a showtime; sold seats (expires_at NULL) never end.
DELETE FROM seat_claims
WHERE showtime_id = @ShowtimeId AND expires_at IS NOT NULL AND expires_at <= @Now;
