SELECT id, email, full_name AS FullName, role, created_at AS CreatedAt
FROM users
WHERE id = @Id;
