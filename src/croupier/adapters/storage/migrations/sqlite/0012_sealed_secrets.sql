-- Issue 14, encryption at rest: the TOTP secrets are sealed by the vault like the players'
-- personal data (docs/security.md "Encryption at rest"). Whoever reads a TOTP secret can
-- make every code of that second factor, so a copy of the database alone must not give it.
--
-- staff.totp_secret_sealed and staff.pending_totp_secret_sealed are bound to the staff row
-- (context 'staff.totp_secret:<staff id>': confirming moves the pending one into place);
-- player_totp.secret_sealed to the player ('player_totp.secret:<player id>').
--
-- The SQL cannot encrypt, so the secrets stored until now wait in secrets_plaintext, which
-- the staff and player security stores empty on their first open (each row sealed and its
-- plaintext deleted in one transaction). Until then those rows have no secret: nothing
-- reads them before the stores have opened.
CREATE TABLE secrets_plaintext (
    kind    TEXT    NOT NULL CHECK (kind IN ('staff.totp_secret', 'staff.pending_totp_secret',
                                             'player_totp.secret')),
    row_id  TEXT    NOT NULL,  -- the staff id or the player id
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
ALTER TABLE staff ADD COLUMN totp_secret_sealed BLOB;          -- set once enrolment is confirmed
ALTER TABLE staff ADD COLUMN pending_totp_secret_sealed BLOB;  -- offered, not yet confirmed

ALTER TABLE player_totp DROP COLUMN secret;
ALTER TABLE player_totp ADD COLUMN secret_sealed BLOB;  -- always set by the store
