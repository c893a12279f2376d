-- The account a token was issued for: its id and the security stamp it had then. An account that was deleted, or a
-- later one that got its id, does not match.
SELECT id, email, full_name AS FullName, role, created_at AS CreatedAt, security_stamp AS SecurityStamp
FROM users
WHERE id = @Id AND security_stamp = @SecurityStamp;
