-- A page of movies; @Search is already LIKE-escaped (\ escapes % and _), @Genre matches exactly, ignoring case.
SELECT id, title, description, genre, duration_minutes AS DurationMinutes, rating, release_date AS ReleaseDate
FROM movies
WHERE (@Search IS NULL OR title LIKE '%' || @Search || '%' ESCAPE '\')
  AND (@Genre IS NULL OR genre = @Genre COLLATE NOCASE)
ORDER BY title COLLATE NOCASE, id
LIMIT @PageSize OFFSET @Offset;
