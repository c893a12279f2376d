-- Accounts are identified as RFC 8265 and Unicode TS #39 advise, their ids are never reused, tokens are bound to the
-- account they were issued for, and failed logins are counted per email and client address.
--
-- SQLite gives the id of a deleted newest row to the next insert unless the key is AUTOINCREMENT, which only a new
-- table can have, so users is rebuilt (the migrator runs each migration with foreign key enforcement off and checks
-- every key with PRAGMA foreign_key_check before it commits, as SQLite's ALTER TABLE procedure asks).
-- normalized_email becomes the lower-case PRECIS form and email_skeleton the confusable skeleton (EmailIdentity);
-- rows written before this migration get lower(email) for both, the form their ASCII emails have.
-- security_stamp is random per account and carried by its tokens: a token names its account, not just its id.
CREATE TABLE users_rebuilt (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    email            TEXT    NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    normalized_email TEXT    NOT NULL UNIQUE,
    email_skeleton   TEXT    NOT NULL UNIQUE,
    full_name        TEXT    NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    password_hash    TEXT    NOT NULL,
    role             TEXT    NOT NULL CHECK (role IN ('User', 'Admin')),
    security_stamp   TEXT    NOT NULL DEFAULT (lower(hex(randomblob(16)))) CHECK (length(security_stamp) = 32),
    created_at       INTEGER NOT NULL
) STRICT;

INSERT INTO users_rebuilt (id, email, normalized_email, email_skeleton, full_name, password_hash, role, security_stamp, created_at)
SELECT id, email, lower(email), lower(email), full_name, password_hash, role, lower(hex(randomblob(16))), created_at
FROM users;

DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

-- Failed logins in a window per (email, client address), and per email alone under client_address '*' (the ceiling
-- that slows guessing spread over many addresses). The counts of the old table throttle for 15 minutes at most and
-- are dropped.
DROP TABLE login_failures;
CREATE TABLE login_failures (
    normalized_email TEXT    NOT NULL CHECK (length(normalized_email) <= 254),
    client_address   TEXT    NOT NULL CHECK (length(client_address) BETWEEN 1 AND 64),
    failures         INTEGER NOT NULL CHECK (failures >= 0),
    window_start     INTEGER NOT NULL,
    PRIMARY KEY (normalized_email, client_address)
) STRICT;
CREATE INDEX ix_login_failures_window ON login_failures (window_start);
