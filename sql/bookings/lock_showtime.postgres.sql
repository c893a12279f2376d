-- The first statement of a hold's transaction: the showtime, its hall, and the seats @UserId holds or has bought
-- of it (live claims only), with the showtime's row locked.
-- Holds on one showtime queue here, one at a time, across every instance, while other showtimes book in parallel.
-- Under the lock the checks (per-user limit, free seats, the seat picker) read what the previous holder committed,
-- so they decide exactly as SQLite's single writer does; the claims' primary key is still the backstop.
SELECT s.id, s.starts_at AS StartsAt, s.price_cents AS PriceCents, t.seat_rows AS SeatRows, t.seats_per_row AS SeatsPerRow,
       (SELECT count(*)
        FROM seat_claims c
        JOIN bookings b ON b.id = c.booking_id
        WHERE c.showtime_id = s.id AND b.user_id = @UserId
          AND (c.expires_at IS NULL OR c.expires_at > @Now)) AS UserClaims
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
WHERE s.id = @Id
FOR UPDATE OF s;
