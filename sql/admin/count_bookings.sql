SELECT count(*)
FROM bookings b
JOIN showtimes s ON s.id = b.showtime_id
WHERE (@Status IS NULL OR (CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END) = @Status)
  AND (@UserId IS NULL OR b.user_id = @UserId)
  AND (@ShowtimeId IS NULL OR b.showtime_id = @ShowtimeId)
  AND (@MovieId IS NULL OR s.movie_id = @MovieId)
  AND (@From IS NULL OR b.created_at >= @From)
  AND (@To IS NULL OR b.created_at <= @To);
