SELECT count(*)
FROM movies
WHERE (@Search IS NULL OR title ILIKE '%' || @Search || '%' ESCAPE '\')
  AND (@Genre IS NULL OR lower(genre) = lower(@Genre));
