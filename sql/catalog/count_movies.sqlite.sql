SELECT count(*)
FROM movies
WHERE (@Search IS NULL OR title LIKE '%' || @Search || '%' ESCAPE '\')
  AND (@Genre IS NULL OR genre = @Genre COLLATE NOCASE);
