-- A refund the app owes the customer: set in the same transaction as the change that needs it (a confirmed booking
-- cancelled, a charged payment failed) and cleared once the gateway has answered. It is also the time from which the
-- refund sweep may (re)try it, so an attempt that dies with its process is finished by the next sweep.
ALTER TABLE payments ADD COLUMN refund_due_at INTEGER;
CREATE INDEX ix_payments_refund_due ON payments (refund_due_at) WHERE refund_due_at IS NOT NULL;

-- Maintenance deletes expired rows oldest first, a bounded batch at a time.
CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys (expires_at);
CREATE INDEX ix_login_failures_window ON login_failures (window_start);
