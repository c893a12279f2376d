SELECT request_hash AS RequestHash, status_code AS StatusCode, response_body AS ResponseBody, location AS Location,
       expires_at AS ExpiresAt
FROM idempotency_keys
WHERE user_id = @UserId AND key = @Key;
