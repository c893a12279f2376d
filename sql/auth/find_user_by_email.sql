SELECT id, email, full_name AS FullName, role, created_at AS CreatedAt, password_hash AS PasswordHash
FROM users
WHERE normalized_email = @NormalizedEmail;
