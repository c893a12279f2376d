-- Deletes a movie that has no showtimes (past ones included: bookings and reports refer to them).
DELETE FROM movies
WHERE id = @Id AND NOT EXISTS (SELECT 1 FROM showtimes WHERE movie_id = @Id);
