-- The failures counted in the current window of this email (none once the window has ended).
SELECT failures AS Failures, window_start AS WindowStart
FROM login_failures
WHERE normalized_email = @NormalizedEmail AND window_start + @WindowMs > @Now;
