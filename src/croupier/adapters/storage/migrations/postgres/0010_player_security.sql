-- Player account security (issue 14, section 4): TOTP, recovery codes, password resets,
-- the device and address of each session, and the devices a player has logged in from.
-- Times are UTC milliseconds since the epoch.

-- One TOTP secret per player. confirmed_at_ms NULL: enrolled but not confirmed yet (not asked
-- at login). last_step: the newest 30-second step a code was accepted for; a code of that step
-- or an older one is refused, so a code is good once.
CREATE TABLE player_totp (
    player_id        TEXT    PRIMARY KEY REFERENCES players (id),
    secret           TEXT    NOT NULL,  -- base32; the server must read it to check codes
    created_at_ms    BIGINT  NOT NULL,
    confirmed_at_ms  BIGINT,
    last_step        BIGINT  NOT NULL DEFAULT 0
);

-- One-time recovery codes: only their SHA-256 (each is 50 random bits and good once).
CREATE TABLE player_recovery_codes (
    player_id    TEXT    NOT NULL REFERENCES players (id),
    code_sha256  TEXT    NOT NULL,
    used_at_ms   BIGINT,
    PRIMARY KEY (player_id, code_sha256)
);

-- Password-reset tokens: only their SHA-256; each is good once, until expires_at_ms.
CREATE TABLE player_password_resets (
    token_sha256   TEXT    PRIMARY KEY,
    player_id      TEXT    NOT NULL REFERENCES players (id),
    created_at_ms  BIGINT  NOT NULL,
    expires_at_ms  BIGINT  NOT NULL,
    used_at_ms     BIGINT
);
CREATE INDEX player_password_resets_by_player ON player_password_resets (player_id);

-- What a player sees of each session: the device (User-Agent) and address it was opened from,
-- and when it was last used. The id shown to the player is derived from token_sha256.
CREATE TABLE player_session_details (
    token_sha256     TEXT    PRIMARY KEY REFERENCES player_sessions (token_sha256),
    player_id        TEXT    NOT NULL REFERENCES players (id),
    user_agent       TEXT    NOT NULL,
    ip               TEXT    NOT NULL,
    last_seen_at_ms  BIGINT  NOT NULL
);
CREATE INDEX player_session_details_by_player ON player_session_details (player_id);

-- The devices (SHA-256 of User-Agent and address) a player has logged in from: a login from
-- any other is mailed to the player.
CREATE TABLE player_devices (
    player_id         TEXT    NOT NULL REFERENCES players (id),
    device_sha256     TEXT    NOT NULL,
    first_seen_at_ms  BIGINT  NOT NULL,
    PRIMARY KEY (player_id, device_sha256)
);
