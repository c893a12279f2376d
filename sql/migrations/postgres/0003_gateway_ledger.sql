-- The simulated payment gateway's own ledger (twin of migrations/sqlite/0003_gateway_ledger.sql): what the
-- "provider" did for each payment id. It stands for a remote system, so it has no foreign key into the app's tables.
-- One row per payment id makes charges idempotent: the first result is kept and every later request answers with it.
CREATE TABLE gateway_charges (
    payment_id       BIGINT  PRIMARY KEY,
    payment_token    TEXT    NOT NULL,
    amount_cents     BIGINT  NOT NULL CHECK (amount_cents > 0),
    approved         BOOLEAN NOT NULL,
    reference        TEXT,
    failure_reason   TEXT,
    charged_at       BIGINT  NOT NULL,
    refund_reference TEXT,
    refunded_at      BIGINT,
    CHECK (approved OR failure_reason IS NOT NULL),
    CHECK (refunded_at IS NULL OR approved)
);
