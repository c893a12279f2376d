-- The failures counted in the current window of this email from this client address, or of the email from anywhere
-- with @ClientAddress '*' (none once the window has ended).
SELECT failures AS Failures, window_start AS WindowStart
FROM login_failures
WHERE normalized_email = @NormalizedEmail AND client_address = @ClientAddress AND window_start + @WindowMs > @Now;
