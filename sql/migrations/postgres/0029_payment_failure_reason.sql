-- failure_reason takes only the values the app writes (FailureReasons.All: the app's own reasons and the gateway
-- declines it records); a gateway's other decline reason is recorded as card_declined. Only a gateway's decline could
-- have written another value before: it becomes card_declined.
UPDATE payments SET failure_reason = 'card_declined'
WHERE failure_reason NOT IN ('booking_expired', 'booking_cancelled', 'showtime_started', 'processing_failed', 'card_declined', 'invalid_token');

ALTER TABLE payments ADD CONSTRAINT payments_failure_reason_check
    CHECK (failure_reason IN ('booking_expired', 'booking_cancelled', 'showtime_started', 'processing_failed', 'card_declined', 'invalid_token'));
