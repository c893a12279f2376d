DELETE FROM idempotency_keys WHERE user_id = @UserId AND key = @Key AND expires_at <= @Now;
