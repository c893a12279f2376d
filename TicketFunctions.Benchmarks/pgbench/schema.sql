-- One 100-seat showtime (10 rows of 10) in the three shapes the candidate hold designs need. Recreated before every
-- run so that each design starts from an empty house.
DROP TABLE IF EXISTS seat_claims, showtime_seats, showtimes, users CASCADE;

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
    user_id     BIGINT,
    expires_at  BIGINT,
    PRIMARY KEY (showtime_id, seat_no)
);

-- The per-user limit's lock is the user's own row, never the showtime's.
CREATE TABLE users (id BIGINT PRIMARY KEY);
INSERT INTO users SELECT g FROM generate_series(1, 2000) g;

-- The whole hold with its guarantees in one round trip: lock the caller's row, count the caller's live seats with a
-- fresh snapshot (a separate statement in the function, so a concurrent hold of the same user that committed while
-- this one waited is counted), then claim @n free seats skipping the ones other holds are claiming; all or nothing.
CREATE OR REPLACE FUNCTION hold_seats(p_showtime BIGINT, p_user BIGINT, p_booking BIGINT, p_n INT, p_now BIGINT, p_limit INT)
RETURNS INT LANGUAGE plpgsql AS $$
DECLARE
    mine INT;
    got  INT;
    seats INT[];
BEGIN
    PERFORM 1 FROM users WHERE id = p_user FOR UPDATE;
    SELECT count(*) INTO mine FROM showtime_seats
    WHERE showtime_id = p_showtime AND user_id = p_user AND (expires_at IS NULL OR expires_at > p_now);
    IF mine + p_n > p_limit THEN
        RETURN -1;
    END IF;
    -- Lock the seats first and write only when there are enough: all or nothing without an exception (pgbench,
    -- like a client, would see an error), the locks of a short pick ending with the transaction.
    SELECT array_agg(seat_no) INTO seats FROM (
        SELECT seat_no FROM showtime_seats
        WHERE showtime_id = p_showtime AND (booking_id IS NULL OR expires_at <= p_now)
        ORDER BY seat_no LIMIT p_n
        FOR UPDATE SKIP LOCKED) free;
    IF coalesce(cardinality(seats), 0) < p_n THEN
        RETURN 0;
    END IF;
    UPDATE showtime_seats SET booking_id = p_booking, user_id = p_user, expires_at = p_now + 600000
    WHERE showtime_id = p_showtime AND seat_no = ANY (seats);
    GET DIAGNOSTICS got = ROW_COUNT;
    RETURN got;
END $$;

INSERT INTO showtimes VALUES (1, 100);
INSERT INTO showtime_seats (showtime_id, seat_no) SELECT 1, g FROM generate_series(1, 100) g;
