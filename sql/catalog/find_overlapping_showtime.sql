-- The first showtime in the theatre whose [starts_at, ends_at) meets [@StartsAt, @EndsAt).
SELECT id
FROM showtimes
WHERE theatre_id = @TheatreId AND starts_at < @EndsAt AND @StartsAt < ends_at
ORDER BY starts_at, id
LIMIT 1;
