-- Issue 15, KYC and AML. Times are UTC milliseconds since the epoch.

-- A player's KYC: the latest submission and its decision. The document's metadata (type,
-- number, country, expiry) is sealed by the vault (context "kyc:<player_id>"); only the
-- expiry day is kept in clear, to tell an expired verification without decrypting.
CREATE TABLE kyc_records (
    player_id       TEXT    PRIMARY KEY REFERENCES players (id),
    state           TEXT    NOT NULL
        CHECK (state IN ('pending', 'verified', 'rejected')),
    document_sealed BYTEA   NOT NULL,
    valid_until     TEXT    NOT NULL,  -- YYYY-MM-DD: the document's expiry
    provider        TEXT    NOT NULL,
    reference       TEXT    NOT NULL,
    submitted_at_ms BIGINT  NOT NULL,
    decided_by      TEXT,
    decided_at_ms   BIGINT ,
    reason          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX kyc_records_by_state ON kyc_records (state, submitted_at_ms);

-- The AML risk queue: one row per rule and triggering transfer (its id is the flag's), so a
-- replayed event finds its flag already there.
CREATE TABLE risk_flags (
    flag_id         TEXT    PRIMARY KEY,  -- <rule>:<transfer id>
    player_id       TEXT    NOT NULL,
    rule            TEXT    NOT NULL,
    transfer_id     TEXT    NOT NULL,
    amount_minor    BIGINT  NOT NULL,
    currency        TEXT    NOT NULL,
    detail          TEXT    NOT NULL,     -- JSON: the figures the rule saw
    raised_at_ms    BIGINT  NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('open', 'resolved')),
    resolved_by     TEXT,
    resolved_at_ms  BIGINT ,
    resolution      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX risk_flags_by_time ON risk_flags (raised_at_ms);
CREATE INDEX risk_flags_by_state ON risk_flags (state, raised_at_ms);
