-- Counts a login attempt of one email from one client address (or, with @ClientAddress '*', of the email from
-- anywhere) before its password is checked, and only while that count is under @MaxFailures in its window: a row
-- back (the window's start) means go on and check the password; none means throttled. Concurrent attempts serialize
-- on the row, so no more than @MaxFailures checks run per window. release_login_attempt takes back an attempt whose
-- check never ran; a successful login deletes its address's count (clear_login_failures).
INSERT INTO login_failures (normalized_email, client_address, failures, window_start)
VALUES (@NormalizedEmail, @ClientAddress, 1, @Now)
ON CONFLICT (normalized_email, client_address) DO UPDATE SET
    failures     = CASE WHEN login_failures.window_start > @Now - @WindowMs THEN login_failures.failures + 1 ELSE 1 END,
    window_start = CASE WHEN login_failures.window_start > @Now - @WindowMs THEN login_failures.window_start ELSE @Now END
WHERE login_failures.window_start <= @Now - @WindowMs OR login_failures.failures < @MaxFailures
RETURNING window_start AS WindowStart;
