-- Nothing is inserted when the email, or an email that looks the same (its skeleton), already has an account.
INSERT INTO users (email, normalized_email, email_skeleton, full_name, password_hash, role, security_stamp, created_at)
VALUES (@Email, @NormalizedEmail, @EmailSkeleton, @FullName, @PasswordHash, @Role, @SecurityStamp, @CreatedAt)
ON CONFLICT DO NOTHING
RETURNING id, email, full_name AS FullName, role, created_at AS CreatedAt, security_stamp AS SecurityStamp;
