-- The ledger of record. transfers and batches are append-only (enforced by triggers);
-- accounts carries running balances, a projection that `croupier ledger verify` recomputes.
CREATE TABLE batches (
    seq            BIGINT  PRIMARY KEY,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    timestamp_ms   BIGINT  NOT NULL,
    account_count  INTEGER NOT NULL,
    transfer_count INTEGER NOT NULL
);

CREATE TABLE accounts (
    id              TEXT    PRIMARY KEY,
    kind            TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    floor_minor     BIGINT,
    batch_seq       BIGINT  NOT NULL REFERENCES batches (seq),
    position        INTEGER NOT NULL,
    debits_posted   BIGINT  NOT NULL,
    credits_posted  BIGINT  NOT NULL,
    debits_pending  BIGINT  NOT NULL,
    credits_pending BIGINT  NOT NULL
) WITH (fillfactor = 80);  -- room on each page, so balance updates stay HOT (no index writes)
CREATE INDEX accounts_by_batch ON accounts (batch_seq, position);

CREATE TABLE transfers (
    seq               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    kind              TEXT    NOT NULL,
    debit_account_id  TEXT    NOT NULL,
    credit_account_id TEXT    NOT NULL,
    amount_minor      BIGINT  NOT NULL,
    currency          TEXT    NOT NULL,
    pending_id        TEXT,
    reason            TEXT    NOT NULL,
    metadata_json     TEXT    NOT NULL,
    timestamp_ms      BIGINT  NOT NULL,
    expires_at_ms     BIGINT,
    batch_seq         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX transfers_resolving ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_by_debit ON transfers (debit_account_id, seq);
CREATE INDEX transfers_by_credit ON transfers (credit_account_id, seq);

CREATE TABLE open_pendings (
    id TEXT PRIMARY KEY
);

CREATE FUNCTION croupier_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION croupier_append_only();
CREATE TRIGGER batches_append_only BEFORE UPDATE OR DELETE ON batches
    FOR EACH ROW EXECUTE FUNCTION croupier_append_only();
