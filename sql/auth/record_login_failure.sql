-- One more failed login for this email: counted in the current window, or the first of a new one. The columns are
-- qualified: in DO UPDATE, login_failures.x is the stored row (PostgreSQL refuses the bare name as ambiguous).
INSERT INTO login_failures (normalized_email, failures, window_start)
VALUES (@NormalizedEmail, 1, @Now)
ON CONFLICT (normalized_email) DO UPDATE SET
    failures     = CASE WHEN login_failures.window_start + @WindowMs > @Now THEN login_failures.failures + 1 ELSE 1 END,
    window_start = CASE WHEN login_failures.window_start + @WindowMs > @Now THEN login_failures.window_start ELSE @Now END;
