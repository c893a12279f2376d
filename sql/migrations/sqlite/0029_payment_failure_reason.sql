-- failure_reason takes only the values the app writes (FailureReasons.All: the app's own reasons and the gateway
-- declines it records); a gateway's other decline reason is recorded as card_declined. SQLite adds a CHECK only to a
-- new table, so payments is rebuilt (no table or trigger refers to it; the migrator checks every foreign key before
-- it commits). Only a gateway's decline could have written another value before: it becomes card_declined.
CREATE TABLE payments_rebuilt (
    id                INTEGER PRIMARY KEY,
    booking_id        INTEGER NOT NULL REFERENCES bookings (id),
    user_id           INTEGER NOT NULL REFERENCES users (id),
    amount_cents      INTEGER NOT NULL CHECK (amount_cents > 0),
    payment_token     TEXT    NOT NULL CHECK (length(payment_token) BETWEEN 1 AND 200),
    status            TEXT    NOT NULL CHECK (status IN ('PENDING', 'SUCCESS', 'FAILED', 'REFUNDED')),
    failure_reason    TEXT    CHECK (failure_reason IN ('booking_expired', 'booking_cancelled', 'showtime_started', 'processing_failed', 'card_declined', 'invalid_token')),
    gateway_reference TEXT,
    created_at        INTEGER NOT NULL,
    processed_at      INTEGER,
    refunded_at       INTEGER,
    refund_due_at     INTEGER,
    trace_parent      TEXT    CHECK (trace_parent IS NULL OR length(trace_parent) = 55),
    CHECK (status <> 'FAILED' OR failure_reason IS NOT NULL),
    CHECK (status = 'PENDING' OR processed_at IS NOT NULL)
) STRICT;

INSERT INTO payments_rebuilt (id, booking_id, user_id, amount_cents, payment_token, status, failure_reason, gateway_reference,
                              created_at, processed_at, refunded_at, refund_due_at, trace_parent)
SELECT id, booking_id, user_id, amount_cents, payment_token, status,
       CASE WHEN failure_reason IS NULL OR failure_reason IN ('booking_expired', 'booking_cancelled', 'showtime_started', 'processing_failed', 'card_declined', 'invalid_token')
            THEN failure_reason ELSE 'card_declined' END,
       gateway_reference, created_at, processed_at, refunded_at, refund_due_at, trace_parent
FROM payments;

DROP TABLE payments;
ALTER TABLE payments_rebuilt RENAME TO payments;

-- At most one payment per booking is in flight or paid.
CREATE UNIQUE INDEX ux_payments_live ON payments (booking_id) WHERE status IN ('PENDING', 'SUCCESS');
CREATE INDEX ix_payments_booking ON payments (booking_id);
CREATE INDEX ix_payments_status ON payments (status, created_at);
CREATE INDEX ix_payments_refund_due ON payments (refund_due_at) WHERE refund_due_at IS NOT NULL;
