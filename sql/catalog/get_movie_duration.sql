SELECT duration_minutes FROM movies WHERE id = @Id;
