DELETE FROM seat_claims WHERE booking_id = @Id;
