-- Counts a login attempt before its password is checked, and only while the email is under the limit: the row count
-- decides (1: go on and check the password; 0: throttled). Concurrent attempts serialize on the row, so no more than
-- @MaxFailures checks run per window. A successful login deletes the count (clear_login_failures).
INSERT INTO login_failures (normalized_email, failures, window_start)
VALUES (@NormalizedEmail, 1, @Now)
ON CONFLICT (normalized_email) DO UPDATE SET
    failures     = CASE WHEN login_failures.window_start > @Now - @WindowMs THEN login_failures.failures + 1 ELSE 1 END,
    window_start = CASE WHEN login_failures.window_start > @Now - @WindowMs THEN login_failures.window_start ELSE @Now END
WHERE login_failures.window_start <= @Now - @WindowMs OR login_failures.failures < @MaxFailures;
