INSERT INTO showtimes (movie_id, theatre_id, starts_at, ends_at, price_cents, created_at)
VALUES (@MovieId, @TheatreId, @StartsAt, @EndsAt, @PriceCents, @Now)
RETURNING id;
