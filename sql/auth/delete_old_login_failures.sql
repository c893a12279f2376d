-- One bounded batch of failure counts whose window has ended (they throttle nothing any more), oldest first.
DELETE FROM login_failures
WHERE (normalized_email, client_address) IN (
    SELECT normalized_email, client_address FROM login_failures
    WHERE window_start + @WindowMs <= @Now
    ORDER BY window_start
    LIMIT @Limit);
