-- The whole hold in one round trip: hold_seats() (migrations/postgres/0026_seat_rows.sql, as 0030_hold_seats_waits.sql
-- replaced it) checks the showtime, the caller's limit under the caller's row lock, claims the named or
-- best-available seats and inserts the booking.
SELECT outcome AS Outcome, r_booking_id AS BookingId, r_seats AS Seats, r_price_cents AS PriceCents,
       r_seat_rows AS SeatRows, r_seats_per_row AS SeatsPerRow, r_held AS Held, r_available AS Available
FROM hold_seats(@ShowtimeId, @UserId,
                CASE WHEN CAST(@Seats AS jsonb) IS NULL THEN NULL
                     ELSE ARRAY(SELECT jsonb_array_elements_text(CAST(@Seats AS jsonb))) END,
                CAST(@SeatCount AS INT), @Now, @ExpiresAt, CAST(@Limit AS INT), @Wait);
