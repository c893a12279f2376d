-- The showtime's free seats as of @Now, read without any lock before a hold joins the queue: none means the hold can
-- be refused at once. No row for an unknown or started showtime (the hold's own checks answer those).
SELECT t.seat_rows * t.seats_per_row
       - (SELECT count(*) FROM seat_claims c
          WHERE c.showtime_id = s.id AND (c.expires_at IS NULL OR c.expires_at > @Now))
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
WHERE s.id = @Id AND s.starts_at > @Now;
