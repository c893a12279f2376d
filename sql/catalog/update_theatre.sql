-- The layout (seat_rows, seats_per_row) may change only while no showtime uses the theatre: seats already
-- held or sold must keep existing. No row back means unknown id or a layout change refused; the caller tells which.
UPDATE theatres
SET name = @Name, city = @City, address = @Address, seat_rows = @SeatRows, seats_per_row = @SeatsPerRow
WHERE id = @Id
  AND ((seat_rows = @SeatRows AND seats_per_row = @SeatsPerRow)
       OR NOT EXISTS (SELECT 1 FROM showtimes WHERE theatre_id = @Id))
RETURNING id, name, city, address, seat_rows AS SeatRows, seats_per_row AS SeatsPerRow;
