-- Issue 14, back-office operations. Times are UTC milliseconds since the epoch; actors are
-- "staff:<id>" as the audit trail names them. Money never lives here: the ledger holds it,
-- these tables hold the staff's decisions about it.

-- A player's account control: active, frozen or closed (final), and risk flags.
CREATE TABLE player_controls (
    player_id      TEXT    PRIMARY KEY REFERENCES players (id),
    status         TEXT    NOT NULL CHECK (status IN ('active', 'frozen', 'closed')),
    flags          TEXT    NOT NULL DEFAULT '',  -- comma-separated, sorted
    reason         TEXT    NOT NULL,
    updated_by     TEXT    NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);

-- Manual adjustments: what staff asked for, and the second pair of eyes above the threshold.
-- The ledger transfer (adjustment:<request_id>) is the money; this row is the decision.
CREATE TABLE adjustments (
    request_id       TEXT    PRIMARY KEY,
    player_id        TEXT    NOT NULL REFERENCES players (id),
    direction        TEXT    NOT NULL CHECK (direction IN ('credit', 'debit')),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    currency         TEXT    NOT NULL,
    reason_code      TEXT    NOT NULL,
    note             TEXT    NOT NULL,
    requested_by     TEXT    NOT NULL,
    requested_at_ms  INTEGER NOT NULL,
    state            TEXT    NOT NULL
        CHECK (state IN ('pending', 'approved', 'posted', 'rejected', 'failed')),
    decided_by       TEXT,
    decided_at_ms    INTEGER,
    decision_reason  TEXT    NOT NULL DEFAULT '',
    transfer_id      TEXT
);
CREATE INDEX adjustments_by_state ON adjustments (state, requested_at_ms);
CREATE INDEX adjustments_by_player ON adjustments (player_id, requested_at_ms);

-- Withdrawals held for review: the reservation is on the ledger (its intent's metadata says
-- "review"); this row is the staff's decision, taken before the provider is called.
CREATE TABLE withdrawal_reviews (
    intent_id        TEXT    PRIMARY KEY,
    player_id        TEXT    NOT NULL REFERENCES players (id),
    amount_minor     INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    requested_at_ms  INTEGER NOT NULL,
    state            TEXT    NOT NULL
        CHECK (state IN ('pending', 'approved', 'paid', 'declined', 'failed')),
    decided_by       TEXT,
    decided_at_ms    INTEGER,
    decision_reason  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX withdrawal_reviews_by_state ON withdrawal_reviews (state, requested_at_ms);

-- Games switched off by staff (a game with no row is enabled).
CREATE TABLE game_switches (
    game_id        TEXT    PRIMARY KEY,
    enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    reason         TEXT    NOT NULL,
    updated_by     TEXT    NOT NULL,
    updated_at_ms  INTEGER NOT NULL
);
