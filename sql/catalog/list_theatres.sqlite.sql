SELECT id, name, city, address, seat_rows AS SeatRows, seats_per_row AS SeatsPerRow
FROM theatres
WHERE (@City IS NULL OR city = @City COLLATE NOCASE)
ORDER BY name COLLATE NOCASE, id
LIMIT @PageSize OFFSET @Offset;
