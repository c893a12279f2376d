-- The whole first schema. Instants are Unix milliseconds (UTC); money is integer cents.
-- Invariants live here: statuses and amounts are CHECKed, a seat has at most one live claim, a booking has at
-- most one live payment, and showtimes in one theatre never overlap.

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    email            TEXT    NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    normalized_email TEXT    NOT NULL UNIQUE,
    full_name        TEXT    NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    password_hash    TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('User', 'Admin')),
    created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE movies (
    id               INTEGER PRIMARY KEY,
    title            TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description      TEXT    NOT NULL CHECK (length(description) <= 4000),
    genre            TEXT    NOT NULL CHECK (length(genre) BETWEEN 1 AND 50),
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 600),
    rating           TEXT    NOT NULL CHECK (length(rating) BETWEEN 1 AND 10),
    release_date     TEXT    NOT NULL CHECK (release_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    created_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX ix_movies_genre ON movies (genre COLLATE NOCASE, title);
CREATE INDEX ix_movies_title ON movies (title COLLATE NOCASE);

CREATE TABLE theatres (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    city          TEXT    NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    address       TEXT    NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
    seat_rows     INTEGER NOT NULL CHECK (seat_rows BETWEEN 1 AND 26),
    seats_per_row INTEGER NOT NULL CHECK (seats_per_row BETWEEN 1 AND 50),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX ix_theatres_city ON theatres (city COLLATE NOCASE, name);

CREATE TABLE showtimes (
    id          INTEGER PRIMARY KEY,
    movie_id    INTEGER NOT NULL REFERENCES movies (id),
    theatre_id  INTEGER NOT NULL REFERENCES theatres (id),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents > 0),
    created_at  INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
) STRICT;

CREATE INDEX ix_showtimes_theatre_starts ON showtimes (theatre_id, starts_at);
CREATE INDEX ix_showtimes_movie_starts ON showtimes (movie_id, starts_at);
CREATE INDEX ix_showtimes_starts ON showtimes (starts_at);

-- Two showtimes in one theatre never overlap as [starts_at, ends_at) intervals, whichever instance writes them.
CREATE TRIGGER tr_showtimes_no_overlap_insert BEFORE INSERT ON showtimes
WHEN EXISTS (SELECT 1 FROM showtimes s
             WHERE s.theatre_id = NEW.theatre_id AND s.starts_at < NEW.ends_at AND NEW.starts_at < s.ends_at)
BEGIN
    SELECT RAISE(ABORT, 'showtime_overlap');
END;

CREATE TRIGGER tr_showtimes_no_overlap_update BEFORE UPDATE OF theatre_id, starts_at, ends_at ON showtimes
WHEN EXISTS (SELECT 1 FROM showtimes s
             WHERE s.id <> NEW.id AND s.theatre_id = NEW.theatre_id
               AND s.starts_at < NEW.ends_at AND NEW.starts_at < s.ends_at)
BEGIN
    SELECT RAISE(ABORT, 'showtime_overlap');
END;

CREATE TABLE bookings (
    id                INTEGER PRIMARY KEY,
    showtime_id       INTEGER NOT NULL REFERENCES showtimes (id),
    user_id           INTEGER NOT NULL REFERENCES users (id),
    seat_count        INTEGER NOT NULL CHECK (seat_count BETWEEN 1 AND 10),
    unit_price_cents  INTEGER NOT NULL CHECK (unit_price_cents > 0),
    total_price_cents INTEGER NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED')),
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    confirmed_at      INTEGER,
    cancelled_at      INTEGER,
    CHECK (total_price_cents = unit_price_cents * seat_count),
    CHECK (status <> 'CONFIRMED' OR confirmed_at IS NOT NULL),
    CHECK (status <> 'CANCELLED' OR cancelled_at IS NOT NULL)
) STRICT;

CREATE INDEX ix_bookings_user ON bookings (user_id, id DESC);
CREATE INDEX ix_bookings_showtime ON bookings (showtime_id, status);
CREATE INDEX ix_bookings_status ON bookings (status, expires_at);

-- Every seat a booking asked for, kept after the booking ends (its history).
CREATE TABLE booking_seats (
    booking_id INTEGER NOT NULL REFERENCES bookings (id),
    seat       TEXT    NOT NULL,
    PRIMARY KEY (booking_id, seat)
) STRICT, WITHOUT ROWID;

-- The live claims on seats: one row per held or sold seat of a showtime. The primary key is the guarantee that
-- a seat is never held or sold twice. expires_at is the hold's end while the booking is PENDING and NULL once it
-- is CONFIRMED; a claim whose hold has ended is free and is deleted by the next write that wants the seat.
CREATE TABLE seat_claims (
    showtime_id INTEGER NOT NULL REFERENCES showtimes (id),
    seat        TEXT    NOT NULL,
    booking_id  INTEGER NOT NULL REFERENCES bookings (id),
    expires_at  INTEGER,
    PRIMARY KEY (showtime_id, seat)
) STRICT, WITHOUT ROWID;

CREATE INDEX ix_seat_claims_booking ON seat_claims (booking_id);

CREATE TABLE payments (
    id                INTEGER PRIMARY KEY,
    booking_id        INTEGER NOT NULL REFERENCES bookings (id),
    user_id           INTEGER NOT NULL REFERENCES users (id),
    amount_cents      INTEGER NOT NULL CHECK (amount_cents > 0),
    payment_token     TEXT    NOT NULL CHECK (length(payment_token) BETWEEN 1 AND 200),
    status            TEXT    NOT NULL CHECK (status IN ('PENDING', 'SUCCESS', 'FAILED', 'REFUNDED')),
    failure_reason    TEXT,
    gateway_reference TEXT,
    created_at        INTEGER NOT NULL,
    processed_at      INTEGER,
    refunded_at       INTEGER,
    CHECK (status <> 'FAILED' OR failure_reason IS NOT NULL),
    CHECK (status = 'PENDING' OR processed_at IS NOT NULL)
) STRICT;

-- At most one payment per booking is in flight or paid.
CREATE UNIQUE INDEX ux_payments_live ON payments (booking_id) WHERE status IN ('PENDING', 'SUCCESS');
CREATE INDEX ix_payments_booking ON payments (booking_id);
CREATE INDEX ix_payments_status ON payments (status, created_at);

-- Idempotency-Key records for POST /api/payments, per user, kept 24 hours.
CREATE TABLE idempotency_keys (
    user_id       INTEGER NOT NULL REFERENCES users (id),
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    status_code   INTEGER NOT NULL,
    response_body TEXT    NOT NULL,
    location      TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
