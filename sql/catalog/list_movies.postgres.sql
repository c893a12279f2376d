-- A page of movies; @Search is already LIKE-escaped (\ escapes % and _), @Genre matches exactly, ignoring case.
-- ILIKE and lower() stand for SQLite's case-insensitive LIKE and COLLATE NOCASE (see the expression indexes).
SELECT id, title, description, genre, duration_minutes AS DurationMinutes, rating, release_date AS ReleaseDate
FROM movies
WHERE (@Search IS NULL OR title ILIKE '%' || @Search || '%' ESCAPE '\')
  AND (@Genre IS NULL OR lower(genre) = lower(@Genre))
ORDER BY lower(title), id
LIMIT @PageSize OFFSET @Offset;
