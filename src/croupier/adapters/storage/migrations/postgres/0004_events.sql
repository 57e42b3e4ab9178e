-- Events committed with the ledger batch that produced them (the transactional outbox).
-- Per stream, seq runs 1, 2, 3, … ; global_seq orders all events for relaying.
CREATE TABLE events (
    global_seq   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream       TEXT   NOT NULL,
    seq          BIGINT NOT NULL,
    type         TEXT   NOT NULL,
    data_json    TEXT   NOT NULL,
    timestamp_ms BIGINT NOT NULL,
    batch_seq    BIGINT NOT NULL,
    UNIQUE (stream, seq)
);
CREATE INDEX events_by_batch ON events (batch_seq);

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION croupier_append_only();
