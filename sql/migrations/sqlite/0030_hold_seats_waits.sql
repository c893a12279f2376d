-- Twin of migrations/postgres/0030_hold_seats_waits.sql, which changes PostgreSQL's hold_seats() function. SQLite has
-- no such function: its holds run under the one writer (Bookings/BookingService.cs), which no lock cycle can reach.
SELECT 1;
