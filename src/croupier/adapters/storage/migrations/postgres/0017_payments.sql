-- Payments (issue 16): the workflow of each deposit, withdrawal and refund at the payment
-- providers. The money itself is on the ledger (deterministic transfer ids); a row here says
-- which provider holds the payment now and where its outcome stands. Times: UTC ms.
CREATE TABLE payments (
    id                 TEXT    PRIMARY KEY,   -- our reference (pay_…), derived from the intent
    player_id          TEXT    NOT NULL,
    kind               TEXT    NOT NULL,      -- deposit, withdrawal, refund
    amount_minor       BIGINT NOT NULL,
    currency           TEXT    NOT NULL,
    idempotency_key    TEXT    NOT NULL,      -- the client's key: names the ledger steps
    parent_id          TEXT,                  -- a refund's deposit
    instrument_kind    TEXT    NOT NULL,
    instrument_token   TEXT    NOT NULL,      -- the vault's token, never a card number
    instrument_country TEXT    NOT NULL,
    provider           TEXT,                  -- the provider responsible now (last attempt)
    attempt            INTEGER NOT NULL,      -- the last attempt's number (0: none)
    state              TEXT    NOT NULL,
    flag               TEXT    NOT NULL,      -- a contradicting notice kept for review
    polls              INTEGER NOT NULL,
    next_poll_ms       BIGINT,
    settled_ms         BIGINT,
    created_ms         BIGINT NOT NULL,
    updated_ms         BIGINT NOT NULL
);
CREATE INDEX payments_due ON payments (next_poll_ms) WHERE next_poll_ms IS NOT NULL;
CREATE INDEX payments_player ON payments (player_id, kind, state);
CREATE INDEX payments_state ON payments (state, updated_ms);
CREATE INDEX payments_settled ON payments (settled_ms);
CREATE INDEX payments_parent ON payments (parent_id) WHERE parent_id IS NOT NULL;

-- Every attempt is recorded before its provider is called: the attempt's reference is the
-- provider's idempotency key, so an answer lost in transit is found by a look-up.
CREATE TABLE payment_attempts (
    payment_id  TEXT    NOT NULL REFERENCES payments (id),
    attempt     INTEGER NOT NULL,
    provider    TEXT    NOT NULL,
    reference   TEXT    NOT NULL UNIQUE,
    outcome     TEXT    NOT NULL,             -- 'sent' until answered
    at_ms       BIGINT NOT NULL,
    PRIMARY KEY (payment_id, attempt)
);

-- Webhooks seen, de-duplicated by the provider's event id.
CREATE TABLE payment_webhook_events (
    provider     TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    reference    TEXT    NOT NULL,
    result       TEXT    NOT NULL,            -- applied, duplicate-state, conflict, unknown-reference
    received_ms  BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
