-- Issue 14, encryption at rest: the TOTP secrets are sealed by the vault. The SQLite twin
-- explains each step; the tables end the same on both engines.
CREATE TABLE secrets_plaintext (
    kind    TEXT    NOT NULL CHECK (kind IN ('staff.totp_secret', 'staff.pending_totp_secret',
                                             'player_totp.secret')),
    row_id  TEXT    NOT NULL,
    secret  TEXT    NOT NULL,
    PRIMARY KEY (kind, row_id)
);
INSERT INTO secrets_plaintext (kind, row_id, secret)
    SELECT 'staff.totp_secret', id, totp_secret FROM staff WHERE totp_secret IS NOT NULL;
INSERT INTO secrets_plaintext (kind, row_id, secret)
    SELECT 'staff.pending_totp_secret', id, pending_totp_secret FROM staff
    WHERE pending_totp_secret IS NOT NULL;
INSERT INTO secrets_plaintext (kind, row_id, secret)
    SELECT 'player_totp.secret', player_id, secret FROM player_totp;

ALTER TABLE staff DROP COLUMN totp_secret;
ALTER TABLE staff DROP COLUMN pending_totp_secret;
ALTER TABLE staff ADD COLUMN totp_secret_sealed BYTEA;
ALTER TABLE staff ADD COLUMN pending_totp_secret_sealed BYTEA;

ALTER TABLE player_totp DROP COLUMN secret;
ALTER TABLE player_totp ADD COLUMN secret_sealed BYTEA;
