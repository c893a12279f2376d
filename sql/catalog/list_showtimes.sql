-- A page of showtimes, ordered by start; upcoming only (starts_at >= @Now) unless @IncludePast.
-- availableSeats counts live claims only: a claim is live while it has no end (sold) or its hold has not ended.
SELECT s.id, s.movie_id AS MovieId, m.title AS MovieTitle, s.theatre_id AS TheatreId, t.name AS TheatreName,
       s.starts_at AS StartsAt, s.ends_at AS EndsAt, s.price_cents AS PriceCents,
       t.seat_rows * t.seats_per_row AS Capacity,
       t.seat_rows * t.seats_per_row
           - (SELECT count(*) FROM seat_claims c
              WHERE c.showtime_id = s.id AND (c.expires_at IS NULL OR c.expires_at > @Now)) AS AvailableSeats
FROM showtimes s
JOIN movies m ON m.id = s.movie_id
JOIN theatres t ON t.id = s.theatre_id
WHERE (@MovieId IS NULL OR s.movie_id = @MovieId)
  AND (@TheatreId IS NULL OR s.theatre_id = @TheatreId)
  AND (@DayStart IS NULL OR (s.starts_at >= @DayStart AND s.starts_at < @DayEnd))
  AND (@IncludePast OR s.starts_at >= @Now)
ORDER BY s.starts_at, s.id
LIMIT @PageSize OFFSET @Offset;
