SELECT id, name, city, address, seat_rows AS SeatRows, seats_per_row AS SeatsPerRow
FROM theatres
WHERE id = @Id;
