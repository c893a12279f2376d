-- A hold's rows: the booking, its seats (@Seats, a JSON array of labels) and their claims; answers the booking's id.
-- booking_seats and seat_claims are WITHOUT ROWID tables, so inserting into them leaves last_insert_rowid() at the
-- booking's id. The claims' primary key (showtime_id, seat) refuses a seat that another booking claims: the last line
-- of defence.
INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
VALUES (@ShowtimeId, @UserId, @SeatCount, @UnitPriceCents, @TotalPriceCents, 'PENDING', @Now, @ExpiresAt);

INSERT INTO booking_seats (booking_id, seat)
SELECT last_insert_rowid(), value FROM json_each(@Seats);

INSERT INTO seat_claims (showtime_id, seat, booking_id, expires_at)
SELECT @ShowtimeId, value, last_insert_rowid(), @ExpiresAt FROM json_each(@Seats);

SELECT last_insert_rowid();
