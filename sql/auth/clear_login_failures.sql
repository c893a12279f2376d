-- A successful login starts the count over.
DELETE FROM login_failures WHERE normalized_email = @NormalizedEmail;
