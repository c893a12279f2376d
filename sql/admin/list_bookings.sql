-- Bookings for administrators, newest first. A PENDING booking whose hold has ended reads EXPIRED, as everywhere.
-- from/to bound the booking's created_at (inclusive); NULL parameters do not filter.
SELECT b.id AS Id, b.showtime_id AS ShowtimeId, b.user_id AS UserId,
       (SELECT string_agg(bs.seat, ',' ORDER BY substr(bs.seat, 1, 1), CAST(substr(bs.seat, 2) AS INTEGER))
        FROM booking_seats bs WHERE bs.booking_id = b.id) AS Seats,
       b.seat_count AS SeatCount, b.unit_price_cents AS UnitPriceCents, b.total_price_cents AS TotalPriceCents,
       CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END AS Status,
       b.created_at AS CreatedAt, b.expires_at AS ExpiresAt, b.confirmed_at AS ConfirmedAt,
       u.email AS UserEmail, m.title AS MovieTitle, t.name AS TheatreName, s.starts_at AS StartsAt,
       (SELECT p.status FROM payments p WHERE p.booking_id = b.id ORDER BY p.id DESC LIMIT 1) AS PaymentStatus
FROM bookings b
JOIN users u ON u.id = b.user_id
JOIN showtimes s ON s.id = b.showtime_id
JOIN movies m ON m.id = s.movie_id
JOIN theatres t ON t.id = s.theatre_id
WHERE (@Status IS NULL OR (CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END) = @Status)
  AND (@UserId IS NULL OR b.user_id = @UserId)
  AND (@ShowtimeId IS NULL OR b.showtime_id = @ShowtimeId)
  AND (@MovieId IS NULL OR s.movie_id = @MovieId)
  AND (@From IS NULL OR b.created_at >= @From)
  AND (@To IS NULL OR b.created_at <= @To)
ORDER BY b.id DESC
LIMIT @Limit OFFSET @Offset;
