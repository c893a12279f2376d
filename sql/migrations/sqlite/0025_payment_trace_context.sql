-- The W3C traceparent of the request that created the payment (null when nothing was traced): the outbox resend
-- writes it into the message again, so a resent payment's processing stays in its request's trace, and the
-- resend and the refund sweep link to that trace.
ALTER TABLE payments ADD COLUMN trace_parent TEXT CHECK (trace_parent IS NULL OR length(trace_parent) = 55);
