-- A successful login starts its address's count over. The email's count from anywhere runs out with its window, so
-- the owner's logins do not hand a distributed guesser a fresh allowance.
DELETE FROM login_failures WHERE normalized_email = @NormalizedEmail AND client_address = @ClientAddress;
