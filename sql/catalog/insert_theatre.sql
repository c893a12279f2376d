INSERT INTO theatres (name, city, address, seat_rows, seats_per_row, created_at)
VALUES (@Name, @City, @Address, @SeatRows, @SeatsPerRow, @Now)
RETURNING id, name, city, address, seat_rows AS SeatRows, seats_per_row AS SeatsPerRow;
