UPDATE users SET password_hash = @PasswordHash WHERE id = @Id AND password_hash = @OldHash;
