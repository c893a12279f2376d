-- Failed logins per email in a sliding window, so that guessing a password is throttled (OWASP API2:2023). Keyed by
-- the normalized email whether or not an account has it, so the throttle tells nothing about which emails exist.
CREATE TABLE login_failures (
    normalized_email TEXT    PRIMARY KEY CHECK (length(normalized_email) <= 254),
    failures         INTEGER NOT NULL CHECK (failures > 0),
    window_start     INTEGER NOT NULL
) STRICT;
