-- One 100-seat showtime (10 rows of 10) in the three shapes the candidate hold designs need. Recreated before every
-- run so that each design starts from an empty house.
DROP TABLE IF EXISTS seat_claims, showtime_seats, showtimes;

CREATE TABLE showtimes (
    id         BIGINT PRIMARY KEY,
    free_seats INT    NOT NULL CHECK (free_seats >= 0)
);

-- Today's shape: a claim row is inserted per held seat; its primary key is the backstop.
CREATE TABLE seat_claims (
    showtime_id BIGINT NOT NULL REFERENCES showtimes (id),
    seat        TEXT   NOT NULL,
    booking_id  BIGINT NOT NULL,
    expires_at  BIGINT,
    PRIMARY KEY (showtime_id, seat)
);

-- The candidate: one row per seat of a showtime, created with the showtime, claimed in place.
CREATE TABLE showtime_seats (
    showtime_id BIGINT NOT NULL REFERENCES showtimes (id),
    seat_no     INT    NOT NULL,
    booking_id  BIGINT,
    expires_at  BIGINT,
    PRIMARY KEY (showtime_id, seat_no)
);

INSERT INTO showtimes VALUES (1, 100);
INSERT INTO showtime_seats (showtime_id, seat_no) SELECT 1, g FROM generate_series(1, 100) g;
