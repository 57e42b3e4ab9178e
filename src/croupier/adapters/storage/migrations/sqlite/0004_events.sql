-- Events committed with the ledger batch that produced them (the transactional outbox).
-- Per stream, seq runs 1, 2, 3, … ; global_seq orders all events for relaying.
CREATE TABLE events (
    global_seq   INTEGER PRIMARY KEY,
    stream       TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    type         TEXT    NOT NULL,
    data_json    TEXT    NOT NULL,
    timestamp_ms INTEGER NOT NULL,
    batch_seq    INTEGER NOT NULL,
    UNIQUE (stream, seq)
);
CREATE INDEX events_by_batch ON events (batch_seq);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
