-- Issue 14, encryption at rest (docs/security.md "Encryption at rest"). The SQLite twin
-- explains each step; the tables end the same on both engines.
CREATE TABLE data_keys (
    id             TEXT    PRIMARY KEY,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('data', 'index')),
    kek_id         TEXT    NOT NULL,
    wrapped        BYTEA   NOT NULL,
    created_at_ms  BIGINT  NOT NULL
);

CREATE TABLE players_plaintext (
    id             TEXT    PRIMARY KEY REFERENCES players (id),
    email          TEXT    NOT NULL,
    date_of_birth  TEXT    NOT NULL
);
INSERT INTO players_plaintext (id, email, date_of_birth)
    SELECT id, email, to_char(date_of_birth, 'YYYY-MM-DD') FROM players;
ALTER TABLE players RENAME COLUMN email TO email_index;
ALTER TABLE players RENAME CONSTRAINT players_email_key TO players_email_index_key;
UPDATE players SET email_index = 'pending:' || id;
ALTER TABLE players DROP COLUMN date_of_birth;
ALTER TABLE players ADD COLUMN email_sealed BYTEA;
ALTER TABLE players ADD COLUMN date_of_birth_sealed BYTEA;

ALTER TABLE seed_pairs ALTER COLUMN server_seed DROP NOT NULL;
ALTER TABLE seed_pairs ADD COLUMN server_seed_sealed BYTEA;
ALTER TABLE seed_pairs ADD CONSTRAINT seed_pairs_seed_kept
    CHECK (server_seed IS NOT NULL OR server_seed_sealed IS NOT NULL);
