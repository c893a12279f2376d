-- The caller's own booking (paying is the owner's act, admins included), when its showtime starts, and whether a
-- live payment exists.
SELECT b.id AS Id, b.status AS Status, b.expires_at AS ExpiresAt, b.total_price_cents AS TotalPriceCents, b.seat_count AS SeatCount,
       s.starts_at AS StartsAt,
       EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status IN ('PENDING', 'SUCCESS')) AS HasLivePayment
FROM bookings b
JOIN showtimes s ON s.id = b.showtime_id
WHERE b.id = @BookingId AND b.user_id = @CallerId;
