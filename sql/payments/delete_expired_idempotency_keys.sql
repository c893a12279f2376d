-- One bounded batch of expired keys, oldest first; a key is looked up only while it lives, so nothing reads these.
DELETE FROM idempotency_keys
WHERE (user_id, key) IN (
    SELECT user_id, key FROM idempotency_keys
    WHERE expires_at <= @Now
    ORDER BY expires_at
    LIMIT @Limit);
