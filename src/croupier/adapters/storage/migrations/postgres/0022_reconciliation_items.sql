-- Issue 16 §4: the reconciliation queue of the back office. `croupier payments reconcile`
-- opens one row per amount mismatch or one-sided line; staff resolve it with a note. Opening
-- is idempotent on (day, provider, reference, kind): a second run of the same day opens
-- nothing new. Amounts are minor units; times are UTC milliseconds since the epoch.
CREATE TABLE reconciliation_items (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- the queue's order and the page cursor
    day            TEXT    NOT NULL,      -- YYYY-MM-DD, UTC
    provider       TEXT    NOT NULL,
    reference      TEXT    NOT NULL,      -- our attempt reference at the provider
    kind           TEXT    NOT NULL,      -- charge, payout, refund, chargeback
    ledger_minor   BIGINT,                -- absent when only at the provider
    provider_minor BIGINT,                -- absent when only in the ledger
    currency       TEXT    NOT NULL,
    problem        TEXT    NOT NULL
        CHECK (problem IN ('amount-mismatch', 'only-in-ledger', 'only-at-provider')),
    opened_ms      BIGINT NOT NULL,
    resolved_ms    BIGINT,
    resolved_by    TEXT,                  -- the staff id
    note           TEXT,
    UNIQUE (day, provider, reference, kind),
    CHECK ((resolved_ms IS NULL) = (resolved_by IS NULL))
);
CREATE INDEX reconciliation_items_open ON reconciliation_items (resolved_ms, id);
