INSERT INTO booking_seats (booking_id, seat)
SELECT @BookingId, value FROM json_each(@Seats);
