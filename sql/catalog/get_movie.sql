SELECT id, title, description, genre, duration_minutes AS DurationMinutes, rating, release_date AS ReleaseDate
FROM movies
WHERE id = @Id;
