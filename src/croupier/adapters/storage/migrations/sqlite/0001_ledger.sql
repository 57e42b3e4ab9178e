-- The ledger of record. transfers and batches are append-only (enforced by triggers);
-- accounts carries running balances, a projection that `croupier ledger verify` recomputes.
CREATE TABLE batches (
    seq            INTEGER PRIMARY KEY,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    timestamp_ms   INTEGER NOT NULL,
    account_count  INTEGER NOT NULL,
    transfer_count INTEGER NOT NULL
);

CREATE TABLE accounts (
    id              TEXT    PRIMARY KEY,
    kind            TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    floor_minor     INTEGER,
    batch_seq       INTEGER NOT NULL REFERENCES batches (seq),
    position        INTEGER NOT NULL,
    debits_posted   INTEGER NOT NULL,
    credits_posted  INTEGER NOT NULL,
    debits_pending  INTEGER NOT NULL,
    credits_pending INTEGER NOT NULL
);
CREATE INDEX accounts_by_batch ON accounts (batch_seq, position);

CREATE TABLE transfers (
    seq               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    kind              TEXT    NOT NULL,
    debit_account_id  TEXT    NOT NULL,
    credit_account_id TEXT    NOT NULL,
    amount_minor      INTEGER NOT NULL,
    currency          TEXT    NOT NULL,
    pending_id        TEXT,
    reason            TEXT    NOT NULL,
    metadata_json     TEXT    NOT NULL,
    timestamp_ms      INTEGER NOT NULL,
    expires_at_ms     INTEGER,
    batch_seq         INTEGER NOT NULL
);
-- At most one post or void per pending transfer, enforced by the database as well.
CREATE UNIQUE INDEX transfers_resolving ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_by_debit ON transfers (debit_account_id, seq);
CREATE INDEX transfers_by_credit ON transfers (credit_account_id, seq);

-- Pending transfers not yet posted or voided, so a restarted writer need not scan history.
CREATE TABLE open_pendings (
    id TEXT PRIMARY KEY
);

CREATE TRIGGER transfers_append_only_update BEFORE UPDATE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
CREATE TRIGGER transfers_append_only_delete BEFORE DELETE ON transfers
BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END;
CREATE TRIGGER batches_append_only_update BEFORE UPDATE ON batches
BEGIN SELECT RAISE(ABORT, 'batches are append-only'); END;
CREATE TRIGGER batches_append_only_delete BEFORE DELETE ON batches
BEGIN SELECT RAISE(ABORT, 'batches are append-only'); END;
