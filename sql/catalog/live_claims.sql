-- The live claims of a showtime, sold (no end) or held until a time still ahead, packed into one string such as
-- "A1:b,A2:h" (b = booked, h = held): the seat map reads up to 1,300 claims per request, and one string costs far
-- less to read than a row per seat (see BENCHMARKS.md).
SELECT string_agg(seat || CASE WHEN expires_at IS NULL THEN ':b' ELSE ':h' END, ',')
FROM seat_claims
WHERE showtime_id = @ShowtimeId AND (expires_at IS NULL OR expires_at > @Now);
