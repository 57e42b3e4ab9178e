-- croupier-pf-1 seed pairs, one active pair per player and the history of rotated ones.
-- server_seed is secret while revealed_at_ms IS NULL: never return it from a public query
-- until then. next_nonce is the nonce the next round takes (for a revealed pair: the number
-- of rounds it played). Times are UTC milliseconds since the epoch.
CREATE TABLE seed_pairs (
    id                BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    player_id         TEXT    NOT NULL REFERENCES players (id),
    server_seed       TEXT    NOT NULL CHECK (length(server_seed) = 64),
    server_seed_hash  TEXT    NOT NULL CHECK (length(server_seed_hash) = 64),
    client_seed       TEXT    NOT NULL CHECK (length(client_seed) BETWEEN 1 AND 64),
    next_nonce        BIGINT  NOT NULL DEFAULT 0 CHECK (next_nonce >= 0),
    created_at_ms     BIGINT  NOT NULL,
    revealed_at_ms    BIGINT
);
-- At most one active pair per player: the lazy creation of two racing requests keeps one.
CREATE UNIQUE INDEX seed_pairs_active ON seed_pairs (player_id) WHERE revealed_at_ms IS NULL;
CREATE INDEX seed_pairs_by_player ON seed_pairs (player_id, id);
