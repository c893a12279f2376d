-- One booking, for its owner or an admin (anyone else gets no row: 404). A PENDING booking whose hold has ended
-- reads as EXPIRED, whether or not anything has stored that yet.
SELECT b.id, b.showtime_id AS ShowtimeId, b.user_id AS UserId,
       (SELECT string_agg(seat, ',') FROM booking_seats WHERE booking_id = b.id) AS SeatList,
       b.seat_count AS SeatCount, b.unit_price_cents AS UnitPriceCents, b.total_price_cents AS TotalPriceCents,
       CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END AS Status,
       b.created_at AS CreatedAt, b.expires_at AS ExpiresAt, b.confirmed_at AS ConfirmedAt
FROM bookings b
WHERE b.id = @Id AND (b.user_id = @CallerId OR @IsAdmin);
