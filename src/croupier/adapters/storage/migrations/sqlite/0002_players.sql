-- Players, their login sessions and login history. Times are UTC milliseconds since the epoch.
-- email is stored normalised (trimmed, lower-case), so the unique index refuses case variants.
CREATE TABLE players (
    id                TEXT    PRIMARY KEY,
    email             TEXT    NOT NULL UNIQUE,
    password_hash     TEXT    NOT NULL,
    date_of_birth     TEXT    NOT NULL,  -- ISO YYYY-MM-DD
    country           TEXT    NOT NULL,  -- ISO 3166-1 alpha-2
    currency          TEXT    NOT NULL,
    created_at_ms     INTEGER NOT NULL,
    last_login_at_ms  INTEGER
);

-- Only the SHA-256 of a session token is stored, never the token.
CREATE TABLE player_sessions (
    token_sha256   TEXT    PRIMARY KEY,
    player_id      TEXT    NOT NULL REFERENCES players (id),
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    revoked_at_ms  INTEGER
);
CREATE INDEX player_sessions_by_player ON player_sessions (player_id);
CREATE INDEX player_sessions_by_expiry ON player_sessions (expires_at_ms);

-- Successful logins (who, when, from where): account security and AML need this history.
CREATE TABLE player_logins (
    seq              INTEGER PRIMARY KEY,
    player_id        TEXT    NOT NULL REFERENCES players (id),
    logged_in_at_ms  INTEGER NOT NULL,
    ip               TEXT    NOT NULL
);
CREATE INDEX player_logins_by_player ON player_logins (player_id, logged_in_at_ms);
