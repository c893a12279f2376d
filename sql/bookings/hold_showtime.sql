-- What SQLite's hold checks under the one writer before it claims: the showtime, its hall, and the seats @UserId
-- holds or has bought of it (live claims only). PostgreSQL's hold reads the same inside hold_seats().
SELECT s.id, s.starts_at AS StartsAt, s.price_cents AS PriceCents, t.seat_rows AS SeatRows, t.seats_per_row AS SeatsPerRow,
       (SELECT count(*)
        FROM seat_claims c
        JOIN bookings b ON b.id = c.booking_id
        WHERE c.showtime_id = s.id AND b.user_id = @UserId
          AND (c.expires_at IS NULL OR c.expires_at > @Now)) AS UserClaims
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
WHERE s.id = @Id;
