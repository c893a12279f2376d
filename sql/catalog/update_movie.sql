-- Showtimes already scheduled keep their ends_at: a new length applies to showtimes created afterwards.
UPDATE movies
SET title = @Title, description = @Description, genre = @Genre, duration_minutes = @DurationMinutes,
    rating = @Rating, release_date = @ReleaseDate
WHERE id = @Id
RETURNING id, title, description, genre, duration_minutes AS DurationMinutes, rating, release_date AS ReleaseDate;
