-- Takes back an attempt that reserve_login_attempt counted but whose password was never checked (the server was too
-- busy to hash it), in the window it was counted in.
UPDATE login_failures SET failures = failures - 1
WHERE normalized_email = @NormalizedEmail AND client_address = @ClientAddress AND window_start = @WindowStart AND failures > 0;
