-- One row per seat of every showtime, the unit a hold contends on (issue 23). seat_claims keeps its name, its
-- primary key (showtime_id, seat) and its live-claim rule, (expires_at IS NULL OR expires_at > now): a sold seat has
-- no end, a held one ends at expires_at, and a free seat is a row with no booking and expires_at 0, an end long past.
-- A hold claims rows in place (UPDATE, never INSERT), so the rows exist before anyone books: created here for the
-- showtimes there are and, by the trigger below, with every new one. seat_row (0 = A) and seat_number
-- (from 1) are the label's parts as integers, for the best-available picker's side-by-side search.
ALTER TABLE seat_claims ALTER COLUMN booking_id DROP NOT NULL;
ALTER TABLE seat_claims ADD COLUMN seat_row BIGINT, ADD COLUMN seat_number BIGINT;
UPDATE seat_claims SET seat_row = ascii(seat) - 65, seat_number = CAST(substr(seat, 2) AS BIGINT);
ALTER TABLE seat_claims ALTER COLUMN seat_row SET NOT NULL, ALTER COLUMN seat_number SET NOT NULL;
INSERT INTO seat_claims (showtime_id, seat, seat_row, seat_number, booking_id, expires_at)
SELECT s.id, chr(65 + CAST(r AS INT)) || n, r, n, NULL, 0
FROM showtimes s
JOIN theatres t ON t.id = s.theatre_id
CROSS JOIN LATERAL generate_series(0, t.seat_rows - 1) r
CROSS JOIN LATERAL generate_series(1, t.seats_per_row) n
ON CONFLICT (showtime_id, seat) DO NOTHING;
-- A free seat belongs to no booking and has ended; a claimed one names its booking.
ALTER TABLE seat_claims ADD CONSTRAINT ck_seat_claims_free CHECK (booking_id IS NOT NULL OR expires_at = 0);
ALTER TABLE seat_claims ADD CONSTRAINT ck_seat_claims_label CHECK (seat = chr(65 + CAST(seat_row AS INT)) || seat_number);

-- The backstop against a seat held or sold twice, now that claims are updates: a claimed seat passes to another
-- booking only if its claim had ended when that booking was made (a sold seat's never ends); refused as the
-- primary key refused a second claim row before. Only such a hand-over runs it: claiming a free seat (no booking)
-- and releasing one do not.
CREATE FUNCTION seat_claims_hand_over() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.expires_at IS NULL OR OLD.expires_at > (SELECT b.created_at FROM bookings b WHERE b.id = NEW.booking_id) THEN
        RAISE EXCEPTION 'seat_claimed: seat % of showtime % has a live claim', OLD.seat, OLD.showtime_id
            USING ERRCODE = 'unique_violation', TABLE = 'seat_claims';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER tr_seat_claims_hand_over BEFORE UPDATE OF booking_id ON seat_claims FOR EACH ROW
WHEN (OLD.booking_id IS NOT NULL AND NEW.booking_id IS NOT NULL AND NEW.booking_id <> OLD.booking_id)
EXECUTE FUNCTION seat_claims_hand_over();

-- A new showtime's seats, all free, in the statement that creates it, whoever inserts it.
CREATE FUNCTION showtime_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO seat_claims (showtime_id, seat, seat_row, seat_number, booking_id, expires_at)
    SELECT NEW.id, chr(65 + CAST(r AS INT)) || n, r, n, NULL, 0
    FROM theatres t
    CROSS JOIN LATERAL generate_series(0, t.seat_rows - 1) r
    CROSS JOIN LATERAL generate_series(1, t.seats_per_row) n
    WHERE t.id = NEW.theatre_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER tr_showtimes_seats AFTER INSERT ON showtimes FOR EACH ROW EXECUTE FUNCTION showtime_seats();

-- A whole hold in one call, so that it costs one round trip plus the commit and takes no lock that other holds of
-- the showtime wait behind: the seats are the unit of contention. In READ COMMITTED every statement below takes a
-- fresh snapshot, which the per-user limit relies on (the caller's count is read after the caller's row is locked).
-- p_seats names seats (all or nothing); NULL asks for p_seat_count best-available seats. The outcome:
--   held           r_booking_id and r_seats (the claimed labels) are set
--   no_showtime    no such showtime
--   outside        a named seat is not a seat of the theatre (r_seat_rows, r_seats_per_row give the layout)
--   started        the showtime has started
--   seat_limit     the caller already holds or owns r_held seats of the showtime; p_limit would be passed
--   seats_taken    r_seats are the named seats that have a live claim
--   not_enough     the showtime has r_available free seats, fewer than asked (counted from committed claims only,
--                  so seats merely locked by holds still in flight never make a showtime look sold out)
--   retry          enough seats are free, but every pick left was being claimed by holds in flight: the caller
--                  rolls back (releasing this call's locks) and calls again with p_wait, which waits for them once
-- Lock order, so that no two holds wait on each other: the caller's users row first (a hold never waits on it while
-- holding seats), then seats, named ones in label order; a best-available hold waits on a seat only with p_wait, as
-- its first seat lock.
CREATE FUNCTION hold_seats(
    p_showtime_id BIGINT, p_user_id BIGINT, p_seats TEXT[], p_seat_count INT,
    p_now BIGINT, p_expires_at BIGINT, p_limit INT, p_wait BOOLEAN,
    OUT outcome TEXT, OUT r_booking_id BIGINT, OUT r_seats TEXT[], OUT r_price_cents BIGINT,
    OUT r_seat_rows BIGINT, OUT r_seats_per_row BIGINT, OUT r_held BIGINT, OUT r_available BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    v_starts_at BIGINT;
    v_known BIGINT;
    v_locks BIGINT;
    v_pick TEXT[];
    v_locked TEXT[];
    v_skip TEXT[] := '{}';
    v_wait BOOLEAN := p_wait;
BEGIN
    -- The showtime, and the caller's row locked for the per-user limit: holds of one caller take turns on it (a lock
    -- that does not block the foreign-key checks of the caller's new bookings), and each counts, in a later statement
    -- with a snapshot of its own, what the one before committed. A best-available hold that the free seats cannot
    -- meet (committed claims only) takes no lock at all: a sold-out showtime answers in this one statement.
    WITH showtime AS (
        SELECT s.starts_at, s.price_cents, t.seat_rows, t.seats_per_row,
               (SELECT count(*) FROM seat_claims c WHERE c.showtime_id = s.id AND c.seat = ANY (p_seats)) AS known,
               CASE WHEN p_seats IS NULL THEN
                   (SELECT count(*) FROM seat_claims c
                    WHERE c.showtime_id = s.id AND c.expires_at IS NOT NULL AND c.expires_at <= p_now)
               END AS free
        FROM showtimes s
        JOIN theatres t ON t.id = s.theatre_id
        WHERE s.id = p_showtime_id
    ), caller AS (
        SELECT u.id FROM users u, showtime
        WHERE u.id = p_user_id AND showtime.starts_at > p_now AND coalesce(showtime.free, p_seat_count) >= p_seat_count
        FOR NO KEY UPDATE OF u
    )
    SELECT starts_at, price_cents, seat_rows, seats_per_row, known, free, (SELECT count(*) FROM caller)
    INTO v_starts_at, r_price_cents, r_seat_rows, r_seats_per_row, v_known, r_available, v_locks
    FROM showtime;
    IF NOT FOUND THEN
        outcome := 'no_showtime';
        RETURN;
    END IF;
    IF p_seats IS NOT NULL AND v_known < cardinality(p_seats) THEN
        outcome := 'outside';
        RETURN;
    END IF;
    IF v_starts_at <= p_now THEN
        outcome := 'started';
        RETURN;
    END IF;
    IF v_locks = 0 THEN
        outcome := 'not_enough';
        RETURN;
    END IF;

    IF p_seats IS NOT NULL THEN
        SELECT count(*) INTO r_held
        FROM bookings b
        JOIN seat_claims c ON c.booking_id = b.id
        WHERE b.user_id = p_user_id AND b.showtime_id = p_showtime_id AND c.showtime_id = p_showtime_id
          AND (c.expires_at IS NULL OR c.expires_at > p_now);
        IF r_held + p_seat_count > p_limit THEN
            outcome := 'seat_limit';
            RETURN;
        END IF;

        -- Named seats: each free one is locked (waiting for a hold in flight on it, whose claim is then seen);
        -- all or nothing: one taken seat and nothing is written.
        SELECT array_agg(seat) INTO v_locked FROM (
            SELECT c.seat FROM seat_claims c
            WHERE c.showtime_id = p_showtime_id AND c.seat = ANY (p_seats)
              AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
            ORDER BY c.seat
            FOR UPDATE) f;
        IF coalesce(cardinality(v_locked), 0) < cardinality(p_seats) THEN
            outcome := 'seats_taken';
            r_seats := ARRAY(SELECT unnest(p_seats) EXCEPT SELECT unnest(v_locked));
            RETURN;
        END IF;
    ELSIF p_seat_count = 1 THEN
        -- One seat: the best free seat that no other hold is locking, found and locked in one pass (the picker's
        -- order for a block of one: no single seat stranded beside it, the row nearest the middle, the further back
        -- on a tie, the seat nearest the row's centre, the left one on a tie); with p_wait the best one is waited for.
        IF v_wait THEN
            SELECT (SELECT count(*) FROM bookings b JOIN seat_claims c ON c.booking_id = b.id
                    WHERE b.user_id = p_user_id AND b.showtime_id = p_showtime_id AND c.showtime_id = p_showtime_id
                      AND (c.expires_at IS NULL OR c.expires_at > p_now)),
                   ARRAY(SELECT c.seat FROM seat_claims c
                         JOIN (SELECT seat, (CASE WHEN seat_number - first_no = 1 THEN 1 ELSE 0 END) + (CASE WHEN last_no - seat_number = 1 THEN 1 ELSE 0 END) AS stranded,
                                      seat_row, seat_number
                               FROM (SELECT seat, seat_row, seat_number,
                                            min(seat_number) OVER (PARTITION BY seat_row, island) AS first_no,
                                            max(seat_number) OVER (PARTITION BY seat_row, island) AS last_no
                                     FROM (SELECT seat, seat_row, seat_number,
                                                  seat_number - row_number() OVER (PARTITION BY seat_row ORDER BY seat_number) AS island
                                           FROM seat_claims
                                           WHERE showtime_id = p_showtime_id AND expires_at IS NOT NULL AND expires_at <= p_now) f) i) r
                           ON r.seat = c.seat
                         WHERE c.showtime_id = p_showtime_id AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
                         ORDER BY r.stranded, abs(r.seat_row - (r_seat_rows - 1) / 2.0), r.seat_row DESC,
                                  abs(r.seat_number - (r_seats_per_row + 1) / 2.0), r.seat_number
                         LIMIT 1
                         FOR UPDATE OF c)
            INTO r_held, v_locked;
        ELSE
            SELECT (SELECT count(*) FROM bookings b JOIN seat_claims c ON c.booking_id = b.id
                    WHERE b.user_id = p_user_id AND b.showtime_id = p_showtime_id AND c.showtime_id = p_showtime_id
                      AND (c.expires_at IS NULL OR c.expires_at > p_now)),
                   ARRAY(SELECT c.seat FROM seat_claims c
                         JOIN (SELECT seat, (CASE WHEN seat_number - first_no = 1 THEN 1 ELSE 0 END) + (CASE WHEN last_no - seat_number = 1 THEN 1 ELSE 0 END) AS stranded,
                                      seat_row, seat_number
                               FROM (SELECT seat, seat_row, seat_number,
                                            min(seat_number) OVER (PARTITION BY seat_row, island) AS first_no,
                                            max(seat_number) OVER (PARTITION BY seat_row, island) AS last_no
                                     FROM (SELECT seat, seat_row, seat_number,
                                                  seat_number - row_number() OVER (PARTITION BY seat_row ORDER BY seat_number) AS island
                                           FROM seat_claims
                                           WHERE showtime_id = p_showtime_id AND expires_at IS NOT NULL AND expires_at <= p_now) f) i) r
                           ON r.seat = c.seat
                         WHERE c.showtime_id = p_showtime_id AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
                         ORDER BY r.stranded, abs(r.seat_row - (r_seat_rows - 1) / 2.0), r.seat_row DESC,
                                  abs(r.seat_number - (r_seats_per_row + 1) / 2.0), r.seat_number
                         LIMIT 1
                         FOR UPDATE OF c SKIP LOCKED)
            INTO r_held, v_locked;
        END IF;
        IF r_held + 1 > p_limit THEN
            outcome := 'seat_limit';
            RETURN;
        END IF;
        IF cardinality(v_locked) = 0 THEN
            -- Every free seat is locked by holds in flight (or was taken since): sold out only if committed claims say so.
            SELECT count(*) INTO r_available FROM seat_claims c
            WHERE c.showtime_id = p_showtime_id AND c.expires_at IS NOT NULL AND c.expires_at <= p_now;
            outcome := CASE WHEN r_available = 0 THEN 'not_enough' ELSE 'retry' END;
            RETURN;
        END IF;
    ELSE
        LOOP
            -- The best block of free seats side by side (the rules of Bookings/SeatPicker.cs: no single seat
            -- stranded, the row nearest the middle, the further back on a tie, the block nearest the row's centre,
            -- the left one on a tie), else the seats of the fewest rows, nearest the middle; seats found locked by
            -- other holds in this call are left out. r_available counts every free seat; r_held is the caller's count.
            WITH mine AS (
                SELECT count(*) AS held
                FROM bookings b
                JOIN seat_claims c ON c.booking_id = b.id
                WHERE b.user_id = p_user_id AND b.showtime_id = p_showtime_id AND c.showtime_id = p_showtime_id
                  AND (c.expires_at IS NULL OR c.expires_at > p_now)
            ), free AS (
                SELECT c.seat, c.seat_row, c.seat_number FROM seat_claims c
                WHERE c.showtime_id = p_showtime_id AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
            ), open AS (
                SELECT * FROM free WHERE seat <> ALL (v_skip)
            ), islands AS (
                SELECT seat_row, min(seat_number) AS first_no, max(seat_number) AS last_no
                FROM (SELECT seat_row, seat_number, seat_number - row_number() OVER (PARTITION BY seat_row ORDER BY seat_number) AS island
                      FROM open) o
                GROUP BY seat_row, island
                HAVING count(*) >= p_seat_count
            ), block AS (
                SELECT i.seat_row, st AS first_no
                FROM islands i
                CROSS JOIN LATERAL generate_series(i.first_no, i.last_no - p_seat_count + 1) st
                ORDER BY (CASE WHEN st - i.first_no = 1 THEN 1 ELSE 0 END) + (CASE WHEN i.last_no - (st + p_seat_count - 1) = 1 THEN 1 ELSE 0 END),
                         abs(i.seat_row - (r_seat_rows - 1) / 2.0), i.seat_row DESC,
                         abs(st + (p_seat_count - 1) / 2.0 - (r_seats_per_row + 1) / 2.0), st
                LIMIT 1
            ), rows_by_room AS (
                SELECT seat_row, sum(room) OVER (ORDER BY room DESC, abs(seat_row - (r_seat_rows - 1) / 2.0), seat_row DESC) - room AS before
                FROM (SELECT seat_row, count(*) AS room FROM open GROUP BY seat_row) r
            )
            SELECT (SELECT held FROM mine), (SELECT count(*) FROM free),
                   coalesce(
                       (SELECT array_agg(o.seat) FROM block b JOIN open o ON o.seat_row = b.seat_row
                          AND o.seat_number BETWEEN b.first_no AND b.first_no + p_seat_count - 1),
                       (SELECT array_agg(seat) FROM (
                            SELECT o.seat FROM open o JOIN rows_by_room r ON r.seat_row = o.seat_row AND r.before < p_seat_count
                            ORDER BY abs(o.seat_row - (r_seat_rows - 1) / 2.0), o.seat_row DESC,
                                     abs(o.seat_number - (r_seats_per_row + 1) / 2.0), o.seat_number
                            LIMIT p_seat_count) s
                        HAVING count(*) = p_seat_count))
            INTO r_held, r_available, v_pick;
            IF r_held + p_seat_count > p_limit THEN
                outcome := 'seat_limit';
                RETURN;
            END IF;
            IF r_available < p_seat_count THEN
                outcome := 'not_enough';
                RETURN;
            END IF;
            IF v_pick IS NULL THEN
                outcome := 'retry';
                RETURN;
            END IF;

            IF v_wait THEN
                v_wait := false;
                SELECT array_agg(seat) INTO v_locked FROM (
                    SELECT c.seat FROM seat_claims c
                    WHERE c.showtime_id = p_showtime_id AND c.seat = ANY (v_pick)
                      AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
                    ORDER BY c.seat
                    FOR UPDATE) f;
            ELSE
                SELECT array_agg(seat) INTO v_locked FROM (
                    SELECT c.seat FROM seat_claims c
                    WHERE c.showtime_id = p_showtime_id AND c.seat = ANY (v_pick)
                      AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
                    ORDER BY c.seat
                    FOR UPDATE SKIP LOCKED) f;
            END IF;
            EXIT WHEN coalesce(cardinality(v_locked), 0) = p_seat_count;
            -- Seats another hold has locked (it may yet fail) or claimed since the pick: pick around them.
            v_skip := v_skip || ARRAY(SELECT unnest(v_pick) EXCEPT SELECT unnest(coalesce(v_locked, '{}')));
        END LOOP;
    END IF;

    -- The booking, its seats and the claims, in one statement; the bookings of ended holds whose seats these were
    -- are stored as EXPIRED (they already read so).
    WITH booking AS (
        INSERT INTO bookings (showtime_id, user_id, seat_count, unit_price_cents, total_price_cents, status, created_at, expires_at)
        VALUES (p_showtime_id, p_user_id, p_seat_count, r_price_cents, r_price_cents * p_seat_count, 'PENDING', p_now, p_expires_at)
        RETURNING id
    ), booked_seats AS (
        INSERT INTO booking_seats (booking_id, seat)
        SELECT booking.id, s FROM booking, unnest(v_locked) s
    ), ended AS (
        UPDATE bookings SET status = 'EXPIRED'
        WHERE status = 'PENDING'
          AND id IN (SELECT c.booking_id FROM seat_claims c WHERE c.showtime_id = p_showtime_id AND c.seat = ANY (v_locked))
    ), claimed AS (
        UPDATE seat_claims c SET booking_id = booking.id, expires_at = p_expires_at
        FROM booking
        WHERE c.showtime_id = p_showtime_id AND c.seat = ANY (v_locked)
    )
    SELECT id INTO r_booking_id FROM booking;
    outcome := 'held';
    r_seats := v_locked;
END
$$;
