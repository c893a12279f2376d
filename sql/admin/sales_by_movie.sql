-- Confirmed bookings only, by the showtime's start (from/to inclusive; NULL does not filter). showtimes counts
-- the distinct showtimes with at least one confirmed booking.
SELECT m.id AS MovieId, m.title AS Title,
       CAST(sum(b.seat_count) AS BIGINT) AS TicketsSold, CAST(sum(b.total_price_cents) AS BIGINT) AS RevenueCents,
       count(DISTINCT b.showtime_id) AS Showtimes
FROM bookings b
JOIN showtimes s ON s.id = b.showtime_id
JOIN movies m ON m.id = s.movie_id
WHERE b.status = 'CONFIRMED'
  AND (@From IS NULL OR s.starts_at >= @From)
  AND (@To IS NULL OR s.starts_at <= @To)
GROUP BY m.id, m.title
ORDER BY RevenueCents DESC, m.title, m.id;
