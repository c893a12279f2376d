-- Which of the requested seats (@Seats, a JSON array of labels) have a live claim.
SELECT seat
FROM seat_claims
WHERE showtime_id = @ShowtimeId
  AND seat IN (SELECT value FROM json_each(@Seats))
  AND (expires_at IS NULL OR expires_at > @Now);
