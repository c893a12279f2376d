-- Twin of migrations/sqlite/0028_user_identity.sql. An identity column takes its values from a sequence, which never
-- hands out a value twice, so ids are not reused and the table needs no rebuild here.
ALTER TABLE users ADD COLUMN email_skeleton TEXT;
ALTER TABLE users ADD COLUMN security_stamp TEXT NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text)
    CHECK (length(security_stamp) = 32);
UPDATE users SET normalized_email = lower(email), email_skeleton = lower(email);
ALTER TABLE users ALTER COLUMN email_skeleton SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_email_skeleton_key UNIQUE (email_skeleton);

DROP TABLE login_failures;
CREATE TABLE login_failures (
    normalized_email TEXT   NOT NULL CHECK (length(normalized_email) <= 254),
    client_address   TEXT   NOT NULL CHECK (length(client_address) BETWEEN 1 AND 64),
    failures         BIGINT NOT NULL CHECK (failures >= 0),
    window_start     BIGINT NOT NULL,
    PRIMARY KEY (normalized_email, client_address)
);
CREATE INDEX ix_login_failures_window ON login_failures (window_start);
