-- A showtime's hall and its live claims, sold (no end) or held until a time still ahead, in one row. The claims come
-- packed into one string such as "A1:b,A2:h" (b = booked, h = held): a seat map reads up to 1,300 claims per
-- request, and one string costs far less to read than a row per seat (see BENCHMARKS.md). No row: no such showtime.
SELECT t.seat_rows AS SeatRows, t.seats_per_row AS SeatsPerRow,
       (SELECT string_agg(c.seat || CASE WHEN c.expires_at IS NULL THEN ':b' ELSE ':h' END, ',')
        FROM seat_claims c
        WHERE c.showtime_id = s.id AND (c.expires_at IS NULL OR c.expires_at > @Now)) AS Claims
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
WHERE s.id = @Id;
