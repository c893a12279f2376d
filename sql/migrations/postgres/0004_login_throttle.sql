-- Failed logins per email in a sliding window (twin of migrations/sqlite/0004_login_throttle.sql).
CREATE TABLE login_failures (
    normalized_email TEXT   PRIMARY KEY CHECK (length(normalized_email) <= 254),
    failures         BIGINT NOT NULL CHECK (failures > 0),
    window_start     BIGINT NOT NULL
);
