SELECT id, name, city, address, seat_rows AS SeatRows, seats_per_row AS SeatsPerRow
FROM theatres
WHERE (@City IS NULL OR lower(city) = lower(@City))
ORDER BY lower(name), id
LIMIT @PageSize OFFSET @Offset;
