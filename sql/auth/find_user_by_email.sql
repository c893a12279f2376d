SELECT id, email, full_name AS FullName, role, created_at AS CreatedAt, security_stamp AS SecurityStamp, password_hash AS PasswordHash
FROM users
WHERE normalized_email = @NormalizedEmail;
