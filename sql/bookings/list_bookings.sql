-- The caller's own bookings, newest first; @Status filters on the status as read (an ended hold is EXPIRED).
SELECT b.id, b.showtime_id AS ShowtimeId, b.user_id AS UserId,
       (SELECT string_agg(seat, ',') FROM booking_seats WHERE booking_id = b.id) AS SeatList,
       b.seat_count AS SeatCount, b.unit_price_cents AS UnitPriceCents, b.total_price_cents AS TotalPriceCents,
       CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END AS Status,
       b.created_at AS CreatedAt, b.expires_at AS ExpiresAt, b.confirmed_at AS ConfirmedAt
FROM bookings b
WHERE b.user_id = @CallerId
  AND (@Status IS NULL
       OR (CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END) = @Status)
ORDER BY b.id DESC
LIMIT @PageSize OFFSET @Offset;
