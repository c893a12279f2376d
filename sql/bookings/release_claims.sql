-- The booking's seats become free again: no booking, an end long past (see migrations/*/0026_seat_rows.sql).
UPDATE seat_claims SET booking_id = NULL, expires_at = 0 WHERE booking_id = @Id;
