SELECT s.id, s.movie_id AS MovieId, m.title AS MovieTitle, s.theatre_id AS TheatreId, t.name AS TheatreName,
       s.starts_at AS StartsAt, s.ends_at AS EndsAt, s.price_cents AS PriceCents,
       t.seat_rows * t.seats_per_row AS Capacity,
       t.seat_rows * t.seats_per_row
           - (SELECT count(*) FROM seat_claims c
              WHERE c.showtime_id = s.id AND (c.expires_at IS NULL OR c.expires_at > @Now)) AS AvailableSeats
FROM showtimes s
JOIN movies m ON m.id = s.movie_id
JOIN theatres t ON t.id = s.theatre_id
WHERE s.id = @Id;
