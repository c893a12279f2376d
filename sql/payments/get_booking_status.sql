SELECT status FROM bookings WHERE id = @BookingId;
