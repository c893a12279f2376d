-- The simulated payment gateway's own ledger: what the "provider" did for each payment id. It stands for a remote
-- system, so it has no foreign key into the app's tables. One row per payment id makes charges idempotent: the
-- first result (approved or declined) is kept and every later request for that payment answers with it.
CREATE TABLE gateway_charges (
    payment_id       INTEGER PRIMARY KEY,
    payment_token    TEXT    NOT NULL,
    amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
    approved         INTEGER NOT NULL CHECK (approved IN (0, 1)),
    reference        TEXT,
    failure_reason   TEXT,
    charged_at       INTEGER NOT NULL,
    refund_reference TEXT,
    refunded_at      INTEGER,
    CHECK (approved = 1 OR failure_reason IS NOT NULL),
    CHECK (refunded_at IS NULL OR approved = 1)
) STRICT;
