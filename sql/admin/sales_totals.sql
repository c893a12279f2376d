SELECT CAST(coalesce(sum(b.seat_count), 0) AS BIGINT) AS TicketsSold,
       CAST(coalesce(sum(b.total_price_cents), 0) AS BIGINT) AS RevenueCents,
       count(DISTINCT b.showtime_id) AS Showtimes
FROM bookings b
JOIN showtimes s ON s.id = b.showtime_id
WHERE b.status = 'CONFIRMED'
  AND (@From IS NULL OR s.starts_at >= @From)
  AND (@To IS NULL OR s.starts_at <= @To);
