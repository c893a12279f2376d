SELECT count(*)
FROM showtimes s
WHERE (@MovieId IS NULL OR s.movie_id = @MovieId)
  AND (@TheatreId IS NULL OR s.theatre_id = @TheatreId)
  AND (@DayStart IS NULL OR (s.starts_at >= @DayStart AND s.starts_at < @DayEnd))
  AND (@IncludePast OR s.starts_at >= @Now);
