-- The first statement of a hold's transaction: the showtime (as bookings/get_showtime_for_booking reads it), with its
-- row locked. Holds on one showtime queue here, one at a time, across every instance, while other showtimes book in
-- parallel. Under the lock the checks (per-user limit, free seats, the seat picker) read what the previous holder
-- committed, so they decide exactly as SQLite's single writer does; the claims' primary key is still the backstop.
SELECT s.id, s.starts_at AS StartsAt, s.price_cents AS PriceCents, t.seat_rows AS SeatRows, t.seats_per_row AS SeatsPerRow
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
WHERE s.id = @Id
FOR UPDATE OF s;
