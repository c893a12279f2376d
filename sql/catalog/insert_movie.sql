INSERT INTO movies (title, description, genre, duration_minutes, rating, release_date, created_at)
VALUES (@Title, @Description, @Genre, @DurationMinutes, @Rating, @ReleaseDate, @Now)
RETURNING id, title, description, genre, duration_minutes AS DurationMinutes, rating, release_date AS ReleaseDate;
