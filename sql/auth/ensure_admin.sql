-- The configured first admin: created if the email (and every email that looks like it) is free. An existing account
-- with that email is left as it is: promoting it would give the Admin role to whoever registered the email first,
-- with their password and their tokens.
INSERT INTO users (email, normalized_email, email_skeleton, full_name, password_hash, role, security_stamp, created_at)
VALUES (@Email, @NormalizedEmail, @EmailSkeleton, 'Administrator', @PasswordHash, 'Admin', @SecurityStamp, @CreatedAt)
ON CONFLICT DO NOTHING;
