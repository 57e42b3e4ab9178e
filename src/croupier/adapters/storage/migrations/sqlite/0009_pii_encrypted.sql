-- Issue 14, encryption at rest (docs/security.md "Encryption at rest").
--
-- data_keys: the data keys (and the blind-index key) wrapped by the key-encryption key,
-- which is never stored here. A sealed value names its data key by id.
CREATE TABLE data_keys (
    id             TEXT    PRIMARY KEY,  -- 16 hex digits (8 bytes), or 'blind-index-1'
    purpose        TEXT    NOT NULL CHECK (purpose IN ('data', 'index')),
    kek_id         TEXT    NOT NULL,     -- which KEK wrapped it (a keyed hash, not the key)
    wrapped        BLOB    NOT NULL,     -- nonce | AES-256-GCM(KEK, key) | tag
    created_at_ms  INTEGER NOT NULL
);

-- players: the email and the date of birth leave the table; what stays is a blind index of
-- the email (HMAC-SHA256, unique: the UNIQUE constraint of email moves with the rename) and
-- both values sealed under a data key. The SQL cannot encrypt, so existing rows wait in
-- players_plaintext, which the player store empties on its first open (sealing each row
-- and deleting its plaintext in one transaction); until then their email_index is
-- 'pending:<id>', which no blind index (64 hex digits) can equal.
CREATE TABLE players_plaintext (
    id             TEXT    PRIMARY KEY REFERENCES players (id),
    email          TEXT    NOT NULL,
    date_of_birth  TEXT    NOT NULL
);
INSERT INTO players_plaintext (id, email, date_of_birth)
    SELECT id, email, date_of_birth FROM players;
ALTER TABLE players RENAME COLUMN email TO email_index;
UPDATE players SET email_index = 'pending:' || id;
ALTER TABLE players DROP COLUMN date_of_birth;
ALTER TABLE players ADD COLUMN email_sealed BLOB;
ALTER TABLE players ADD COLUMN date_of_birth_sealed BLOB;

-- seed_pairs: an active pair's server seed is sealed (server_seed_sealed, bound to the
-- pair's id) and server_seed is NULL; a rotation reveals it into server_seed, in clear,
-- since it is public from then on. SQLite cannot drop a NOT NULL, so the table is copied.
-- Active pairs already in clear are sealed by the seed-pair store's first open.
CREATE TABLE seed_pairs_sealed (
    id                  INTEGER PRIMARY KEY,
    player_id           TEXT    NOT NULL REFERENCES players (id),
    server_seed         TEXT    CHECK (length(server_seed) = 64),
    server_seed_sealed  BLOB,
    server_seed_hash    TEXT    NOT NULL CHECK (length(server_seed_hash) = 64),
    client_seed         TEXT    NOT NULL CHECK (length(client_seed) BETWEEN 1 AND 64),
    next_nonce          INTEGER NOT NULL DEFAULT 0 CHECK (next_nonce >= 0),
    created_at_ms       INTEGER NOT NULL,
    revealed_at_ms      INTEGER,
    CHECK (server_seed IS NOT NULL OR server_seed_sealed IS NOT NULL)
);
INSERT INTO seed_pairs_sealed (id, player_id, server_seed, server_seed_hash, client_seed,
                               next_nonce, created_at_ms, revealed_at_ms)
    SELECT id, player_id, server_seed, server_seed_hash, client_seed, next_nonce,
           created_at_ms, revealed_at_ms
    FROM seed_pairs;
DROP TABLE seed_pairs;
ALTER TABLE seed_pairs_sealed RENAME TO seed_pairs;
CREATE UNIQUE INDEX seed_pairs_active ON seed_pairs (player_id) WHERE revealed_at_ms IS NULL;
CREATE INDEX seed_pairs_by_player ON seed_pairs (player_id, id);
