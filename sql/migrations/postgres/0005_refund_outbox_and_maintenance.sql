-- A refund the app owes the customer (twin of migrations/sqlite/0005_refund_outbox_and_maintenance.sql): set in the
-- same transaction as the change that needs it and cleared once the gateway has answered; the refund sweep (re)tries
-- it from that time on.
ALTER TABLE payments ADD COLUMN refund_due_at BIGINT;
CREATE INDEX ix_payments_refund_due ON payments (refund_due_at) WHERE refund_due_at IS NOT NULL;

-- Maintenance deletes expired rows oldest first, a bounded batch at a time.
CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys (expires_at);
CREATE INDEX ix_login_failures_window ON login_failures (window_start);
