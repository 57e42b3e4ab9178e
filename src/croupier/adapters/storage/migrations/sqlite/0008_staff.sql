-- Staff of the operator (the back office): separate from players, with their own sessions.
-- Times are UTC milliseconds since the epoch. username is stored normalised (lower-case).
-- totp_secret is the base32 TOTP key: to be wrapped by the PII envelope encryption once it
-- exists (issue 14, section 5); until then it never leaves the store but to check a code.
CREATE TABLE staff (
    id                  TEXT    PRIMARY KEY,
    username            TEXT    NOT NULL UNIQUE,
    role                TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    status              TEXT    NOT NULL,  -- enrolling | active | disabled
    totp_secret         TEXT,              -- set once enrolment is confirmed
    pending_totp_secret TEXT,              -- offered at enrolment, not yet confirmed
    totp_last_step      INTEGER,           -- the last accepted 30 s step: never again
    created_at_ms       INTEGER NOT NULL
);

-- One-time recovery codes: only their SHA-256 (salted with the staff id), and when used.
CREATE TABLE staff_recovery_codes (
    staff_id     TEXT    NOT NULL REFERENCES staff (id),
    code_sha256  TEXT    NOT NULL,
    used_at_ms   INTEGER,
    PRIMARY KEY (staff_id, code_sha256)
);

-- Only the SHA-256 of a session token is stored. stage: enrolment (password only, may
-- only enrol its TOTP) or full (password and a second factor).
CREATE TABLE staff_sessions (
    token_sha256   TEXT    PRIMARY KEY,
    staff_id       TEXT    NOT NULL REFERENCES staff (id),
    stage          TEXT    NOT NULL,
    created_at_ms  INTEGER NOT NULL,
    expires_at_ms  INTEGER NOT NULL,
    revoked_at_ms  INTEGER
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);
