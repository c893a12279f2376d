-- Why a charged payment's booking could not be confirmed, read in the failed confirmation's transaction.
SELECT CASE WHEN b.status = 'CANCELLED' THEN 'booking_cancelled'
            WHEN s.starts_at <= @Now THEN 'showtime_started'
            ELSE 'booking_expired' END
FROM bookings b
JOIN showtimes s ON s.id = b.showtime_id
WHERE b.id = @BookingId;
