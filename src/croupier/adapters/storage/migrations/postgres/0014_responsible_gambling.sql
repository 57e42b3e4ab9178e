-- Responsible gambling (issue 15, section 3): one row per player who has set anything.
-- Times are UTC milliseconds since the epoch. The money limits themselves are enforced by
-- allowance accounts in the ledger (docs/compliance.md); this row is what the player chose.
CREATE TABLE responsible_gambling (
    player_id            TEXT    PRIMARY KEY REFERENCES players (id),
    -- deposit/loss/wager per period and session_minutes, each with a pending increase
    limits_json          TEXT    NOT NULL,
    reality_minutes      BIGINT,
    session_started_ms   BIGINT,
    reality_due_ms       BIGINT,
    reality_pending      BOOLEAN NOT NULL,
    -- 'time-out' or 'self-exclusion', from since to until (never shortened)
    exclusion_kind       TEXT,
    exclusion_since_ms   BIGINT,
    exclusion_until_ms   BIGINT,
    -- cleared for good by a self-exclusion; the engagement features read it
    marketing_allowed    BOOLEAN NOT NULL,
    -- compare-and-set: every change is UPDATE ... WHERE version = the version read
    version              BIGINT NOT NULL,
    updated_at_ms        BIGINT NOT NULL
);
