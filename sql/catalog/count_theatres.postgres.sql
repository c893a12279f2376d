SELECT count(*)
FROM theatres
WHERE (@City IS NULL OR lower(city) = lower(@City));
