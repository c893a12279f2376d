-- One row per seat of every showtime (issue 23), as on PostgreSQL: seat_claims keeps its name, its primary key
-- (showtime_id, seat) and its live-claim rule, (expires_at IS NULL OR expires_at > now): a sold seat has no end, a
-- held one ends at expires_at, and a free seat is a row with no booking and expires_at 0, an end long past. A hold
-- claims rows in place, so the rows exist before anyone books: created here for the showtimes there are and, by
-- the trigger below, with every new one. seat_row (0 = A) and seat_number (from 1) are the label's parts.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt (nothing references it).
CREATE TABLE seat_claims_0026 (
    showtime_id INTEGER NOT NULL REFERENCES showtimes (id),
    seat        TEXT    NOT NULL,
    seat_row    INTEGER NOT NULL,
    seat_number INTEGER NOT NULL,
    booking_id  INTEGER REFERENCES bookings (id),
    expires_at  INTEGER,
    PRIMARY KEY (showtime_id, seat),
    -- A free seat belongs to no booking and has ended; a claimed one names its booking.
    CONSTRAINT ck_seat_claims_free CHECK (booking_id IS NOT NULL OR expires_at = 0),
    CONSTRAINT ck_seat_claims_label CHECK (seat = char(65 + seat_row) || seat_number)
) STRICT, WITHOUT ROWID;

INSERT INTO seat_claims_0026 (showtime_id, seat, seat_row, seat_number, booking_id, expires_at)
SELECT showtime_id, seat, unicode(seat) - 65, CAST(substr(seat, 2) AS INTEGER), booking_id, expires_at
FROM seat_claims;

-- Every seat position a theatre can have (26 rows of 50, the theatres' CHECKs), so that the trigger below, where
-- SQLite allows no WITH, can make a showtime's seats with a join.
CREATE TABLE seat_grid (
    seat_row    INTEGER NOT NULL,
    seat_number INTEGER NOT NULL,
    seat        TEXT    NOT NULL,
    PRIMARY KEY (seat_row, seat_number)
) STRICT, WITHOUT ROWID;

WITH RECURSIVE seat_rows (r) AS (SELECT 0 UNION ALL SELECT r + 1 FROM seat_rows WHERE r < 25),
               numbers (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < 50)
INSERT INTO seat_grid (seat_row, seat_number, seat)
SELECT seat_rows.r, numbers.n, char(65 + seat_rows.r) || numbers.n FROM seat_rows, numbers;

INSERT INTO seat_claims_0026 (showtime_id, seat, seat_row, seat_number, booking_id, expires_at)
SELECT s.id, g.seat, g.seat_row, g.seat_number, NULL, 0
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
JOIN seat_grid g ON g.seat_row < t.seat_rows AND g.seat_number <= t.seats_per_row
WHERE true
ON CONFLICT (showtime_id, seat) DO NOTHING;

DROP TABLE seat_claims;
ALTER TABLE seat_claims_0026 RENAME TO seat_claims;
CREATE INDEX ix_seat_claims_booking ON seat_claims (booking_id);

-- The backstop against a seat held or sold twice, now that claims are updates: a claimed seat passes to another
-- booking only if its claim had ended when that booking was made (a sold seat's never ends); refused as the
-- primary key refused a second claim row before. Claiming a free seat (no booking) and releasing one pass freely.
CREATE TRIGGER tr_seat_claims_hand_over BEFORE UPDATE OF booking_id ON seat_claims
WHEN OLD.booking_id IS NOT NULL AND NEW.booking_id IS NOT NULL AND NEW.booking_id <> OLD.booking_id
  AND (OLD.expires_at IS NULL OR OLD.expires_at > (SELECT b.created_at FROM bookings b WHERE b.id = NEW.booking_id))
BEGIN
    SELECT RAISE(ABORT, 'seat_claimed');
END;

-- A new showtime's seats, all free, in the statement that creates it, whoever inserts it.
CREATE TRIGGER tr_showtimes_seats AFTER INSERT ON showtimes
BEGIN
    INSERT INTO seat_claims (showtime_id, seat, seat_row, seat_number, booking_id, expires_at)
    SELECT NEW.id, g.seat, g.seat_row, g.seat_number, NULL, 0
    FROM theatres t
    JOIN seat_grid g ON g.seat_row < t.seat_rows AND g.seat_number <= t.seats_per_row
    WHERE t.id = NEW.theatre_id;
END;
