-- The configured first admin: created if missing; an existing account with that email becomes Admin.
INSERT INTO users (email, normalized_email, full_name, password_hash, role, created_at)
VALUES (@Email, @NormalizedEmail, 'Administrator', @PasswordHash, 'Admin', @CreatedAt)
ON CONFLICT (normalized_email) DO UPDATE SET role = 'Admin' WHERE role <> 'Admin';
