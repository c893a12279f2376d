-- The configured first admin: created if the email is free. An existing account with that email is left as it is:
-- promoting it would give the Admin role to whoever registered the email first, with their password and their tokens.
INSERT INTO users (email, normalized_email, full_name, password_hash, role, created_at)
VALUES (@Email, @NormalizedEmail, 'Administrator', @PasswordHash, 'Admin', @CreatedAt)
ON CONFLICT (normalized_email) DO NOTHING;
