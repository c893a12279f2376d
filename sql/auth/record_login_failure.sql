-- One more failed login for this email: counted in the current window, or the first of a new one.
INSERT INTO login_failures (normalized_email, failures, window_start)
VALUES (@NormalizedEmail, 1, @Now)
ON CONFLICT (normalized_email) DO UPDATE SET
    failures     = CASE WHEN window_start > @Now - @WindowMs THEN failures + 1 ELSE 1 END,
    window_start = CASE WHEN window_start > @Now - @WindowMs THEN window_start ELSE @Now END;
