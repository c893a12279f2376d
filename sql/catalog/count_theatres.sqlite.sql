SELECT count(*)
FROM theatres
WHERE (@City IS NULL OR city = @City COLLATE NOCASE);
