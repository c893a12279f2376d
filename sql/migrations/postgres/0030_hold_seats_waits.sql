-- hold_seats() (0026) without its deadlock (issue 23). Its waiting path locked seats in the picker's order: a hold
-- waited on a seat while it kept the locks of seats it had found claimed meanwhile (PostgreSQL keeps the lock of a
-- row whose recheck fails), so two waiting holds could each hold what the other waited for; a rush of 2,000 one-seat
-- holds on 100 seats hit it (40P01). Now no hold waits for a seat while it holds one it has not claimed:
--   * a first call never waits: it locks free seats with SKIP LOCKED, and answers "retry" when every pick left is
--     being claimed by holds in flight; the caller rolls back, which drops the locks of that call;
--   * the second call (p_wait) tries each pick in a subtransaction that is rolled back when it falls short, and
--     waits for a hold in flight with await_seat(), which locks one seat in a subtransaction of its own and rolls it
--     back, so it waits holding nothing but the caller's users row; then it picks again with a fresh snapshot;
--   * named seats are locked in label order, waiting, as before: every hold that waits while holding seats takes
--     them in that one order.
-- The picker's order (Bookings/SeatPicker.cs for a block of one) and the caller's count are written once here,
-- in functions of their own, instead of once per path.

-- The seats the caller holds or owns in the showtime (live claims of the caller's bookings).
CREATE FUNCTION caller_seats(p_showtime_id BIGINT, p_user_id BIGINT, p_now BIGINT) RETURNS BIGINT
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT count(*)
            FROM bookings b
            JOIN seat_claims c ON c.booking_id = b.id
            WHERE b.user_id = p_user_id AND b.showtime_id = p_showtime_id AND c.showtime_id = p_showtime_id
              AND (c.expires_at IS NULL OR c.expires_at > p_now));
END
$$;

-- The best free seat that no other transaction is locking, locked, or NULL: the picker's order for a block of one
-- (no single seat stranded beside it, the row nearest the middle, the further back on a tie, the seat nearest the
-- row's centre, the left one on a tie).
CREATE FUNCTION lock_best_seat(p_showtime_id BIGINT, p_now BIGINT, p_seat_rows BIGINT, p_seats_per_row BIGINT) RETURNS TEXT
LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT c.seat
            FROM seat_claims c
            JOIN (SELECT seat, seat_row, seat_number,
                         (CASE WHEN seat_number - first_no = 1 THEN 1 ELSE 0 END) + (CASE WHEN last_no - seat_number = 1 THEN 1 ELSE 0 END) AS stranded
                  FROM (SELECT seat, seat_row, seat_number,
                               min(seat_number) OVER (PARTITION BY seat_row, island) AS first_no,
                               max(seat_number) OVER (PARTITION BY seat_row, island) AS last_no
                        FROM (SELECT seat, seat_row, seat_number,
                                     seat_number - row_number() OVER (PARTITION BY seat_row ORDER BY seat_number) AS island
                              FROM seat_claims
                              WHERE showtime_id = p_showtime_id AND expires_at IS NOT NULL AND expires_at <= p_now) f) i) r
              ON r.seat = c.seat
            WHERE c.showtime_id = p_showtime_id AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
            ORDER BY r.stranded, abs(r.seat_row - (p_seat_rows - 1) / 2.0), r.seat_row DESC,
                     abs(r.seat_number - (p_seats_per_row + 1) / 2.0), r.seat_number
            LIMIT 1
            FOR UPDATE OF c SKIP LOCKED);
END
$$;

-- Of p_seats, the ones still free and not locked by another transaction, locked, in label order.
CREATE FUNCTION lock_free_seats(p_showtime_id BIGINT, p_seats TEXT[], p_now BIGINT) RETURNS TEXT[]
LANGUAGE plpgsql AS $$
BEGIN
    RETURN ARRAY(SELECT c.seat FROM seat_claims c
                 WHERE c.showtime_id = p_showtime_id AND c.seat = ANY (p_seats)
                   AND c.expires_at IS NOT NULL AND c.expires_at <= p_now
                 ORDER BY c.seat
                 FOR UPDATE SKIP LOCKED);
END
$$;

-- Waits until the transaction locking the seat (a hold in flight) ends, and keeps no lock: the seat is locked in a
-- subtransaction that is then rolled back. The caller picks again afterwards, with a fresh snapshot.
CREATE FUNCTION await_seat(p_showtime_id BIGINT, p_seat TEXT) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM seat_claims c WHERE c.showtime_id = p_showtime_id AND c.seat = p_seat FOR UPDATE;
    RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'seat awaited';
EXCEPTION WHEN SQLSTATE 'TF001' THEN
    NULL;
END
$$;

-- The whole hold in one call (outcomes as in 0026): held, no_showtime, outside, started, seat_limit, seats_taken,
-- not_enough, and "retry" from a first call only (p_wait false). In READ COMMITTED every statement takes a fresh
-- snapshot, which the per-user limit relies on (the caller's count is read after the caller's row is locked).
CREATE OR REPLACE FUNCTION hold_seats(
    p_showtime_id BIGINT, p_user_id BIGINT, p_seats TEXT[], p_seat_count INT,
    p_now BIGINT, p_expires_at BIGINT, p_limit INT, p_wait BOOLEAN,
    OUT outcome TEXT, OUT r_booking_id BIGINT, OUT r_seats TEXT[], OUT r_price_cents BIGINT,
    OUT r_seat_rows BIGINT, OUT r_seats_per_row BIGINT, OUT r_held BIGINT, OUT r_available BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    v_starts_at BIGINT;
    v_known BIGINT;
    v_locks BIGINT;
    v_seat TEXT;
    v_pick TEXT[];
    v_locked TEXT[];
    v_skip TEXT[] := '{}';
BEGIN
    -- The showtime, and the caller's row locked for the per-user limit: holds of one caller take turns on it (a lock
    -- that does not block the foreign-key checks of the caller's new bookings). A best-available hold that the free
    -- seats cannot meet (committed claims only, so seats merely locked by holds in flight never make a showtime
    -- look sold out) takes no lock at all: a sold-out showtime answers in this one statement.
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

    r_held := caller_seats(p_showtime_id, p_user_id, p_now);
    IF r_held + p_seat_count > p_limit THEN
        outcome := 'seat_limit';
        RETURN;
    END IF;

    IF p_seats IS NOT NULL THEN
        -- Named seats: each free one is locked in label order (waiting for a hold in flight on it, whose claim is
        -- then seen); all or nothing: one taken seat and nothing is written.
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
        LOOP
            IF p_wait THEN
                -- A try that finds nothing keeps no lock (the rows it found claimed since its snapshot included).
                BEGIN
                    v_seat := lock_best_seat(p_showtime_id, p_now, r_seat_rows, r_seats_per_row);
                    IF v_seat IS NULL THEN
                        RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'no seat';
                    END IF;
                EXCEPTION WHEN SQLSTATE 'TF001' THEN
                    v_seat := NULL;
                END;
            ELSE
                v_seat := lock_best_seat(p_showtime_id, p_now, r_seat_rows, r_seats_per_row);
            END IF;
            EXIT WHEN v_seat IS NOT NULL;

            -- Every free seat is locked by holds in flight (or was taken since): sold out only if committed claims say so.
            SELECT count(*), min(c.seat) INTO r_available, v_seat FROM seat_claims c
            WHERE c.showtime_id = p_showtime_id AND c.expires_at IS NOT NULL AND c.expires_at <= p_now;
            IF r_available = 0 THEN
                outcome := 'not_enough';
                RETURN;
            END IF;
            IF NOT p_wait THEN
                outcome := 'retry';
                RETURN;
            END IF;
            PERFORM await_seat(p_showtime_id, v_seat);
        END LOOP;
        v_locked := ARRAY[v_seat];
    ELSE
        LOOP
            -- The best block of free seats side by side (the rules of Bookings/SeatPicker.cs: no single seat
            -- stranded, the row nearest the middle, the further back on a tie, the block nearest the row's centre,
            -- the left one on a tie), else the seats of the fewest rows, nearest the middle; seats found locked by
            -- other holds in this call are left out. r_available counts every free seat.
            WITH free AS (
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
            SELECT (SELECT count(*) FROM free),
                   coalesce(
                       (SELECT array_agg(o.seat) FROM block b JOIN open o ON o.seat_row = b.seat_row
                          AND o.seat_number BETWEEN b.first_no AND b.first_no + p_seat_count - 1),
                       (SELECT array_agg(seat) FROM (
                            SELECT o.seat FROM open o JOIN rows_by_room r ON r.seat_row = o.seat_row AND r.before < p_seat_count
                            ORDER BY abs(o.seat_row - (r_seat_rows - 1) / 2.0), o.seat_row DESC,
                                     abs(o.seat_number - (r_seats_per_row + 1) / 2.0), o.seat_number
                            LIMIT p_seat_count) s
                        HAVING count(*) = p_seat_count))
            INTO r_available, v_pick;
            IF r_available < p_seat_count THEN
                outcome := 'not_enough';
                RETURN;
            END IF;
            IF v_pick IS NULL THEN
                -- Every block left is being claimed by holds in flight: a first call gives up its locks through the
                -- caller's rollback; a waiting one waits for one of those holds, holding nothing, and picks again.
                IF NOT p_wait THEN
                    outcome := 'retry';
                    RETURN;
                END IF;
                PERFORM await_seat(p_showtime_id, v_skip[1]);
                v_skip := '{}';
                CONTINUE;
            END IF;

            IF p_wait THEN
                -- A try that falls short keeps no lock, so this call never waits while it holds a seat.
                BEGIN
                    v_locked := lock_free_seats(p_showtime_id, v_pick, p_now);
                    IF cardinality(v_locked) < p_seat_count THEN
                        RAISE EXCEPTION USING ERRCODE = 'TF001', MESSAGE = 'seats short';
                    END IF;
                EXCEPTION WHEN SQLSTATE 'TF001' THEN
                    NULL;
                END;
            ELSE
                v_locked := lock_free_seats(p_showtime_id, v_pick, p_now);
            END IF;
            EXIT WHEN cardinality(v_locked) = p_seat_count;
            -- Seats another hold has locked (it may yet fail) or claimed since the pick: pick around them.
            v_skip := v_skip || ARRAY(SELECT unnest(v_pick) EXCEPT SELECT unnest(v_locked));
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
