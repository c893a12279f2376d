INSERT INTO booking_seats (booking_id, seat)
SELECT @BookingId, value FROM jsonb_array_elements_text(CAST(@Seats AS jsonb));
