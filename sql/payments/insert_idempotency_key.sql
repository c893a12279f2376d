INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response_body, location, created_at, expires_at)
VALUES (@UserId, @Key, @RequestHash, @StatusCode, @ResponseBody, @Location, @Now, @ExpiresAt);
