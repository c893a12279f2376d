-- The first statement of a hold's transaction: the showtime, as bookings/get_showtime_for_booking reads it. Nothing
-- to lock row by row: the hold's BEGIN IMMEDIATE already holds the database's one write lock.
SELECT s.id, s.starts_at AS StartsAt, s.price_cents AS PriceCents, t.seat_rows AS SeatRows, t.seats_per_row AS SeatsPerRow
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
WHERE s.id = @Id;
