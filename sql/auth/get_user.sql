SELECT id, email, full_name AS FullName, role, created_at AS CreatedAt, security_stamp AS SecurityStamp
FROM users
WHERE id = @Id;
