INSERT INTO users (email, normalized_email, full_name, password_hash, role, created_at)
VALUES (@Email, @NormalizedEmail, @FullName, @PasswordHash, @Role, @CreatedAt)
ON CONFLICT (normalized_email) DO NOTHING
RETURNING id, email, full_name AS FullName, role, created_at AS CreatedAt;
