-- Issue 16, the card vault. Times are UTC milliseconds since the epoch.

-- One row per stored card. In clear: the masked number (first 6, last 4), the scheme and
-- the issuer's country, which any screen may show. Sealed (AES-256-GCM) under the card's
-- own data key: the PAN, and the expiry with the holder's name. That key is stored here
-- wrapped by the card KEK (never the data vault's), so deleting the row deletes the only
-- live copy of the key (docs/security.md, "Card data"). No security code column: the
-- vault never accepts one (PCI DSS 3.3.1.2).
CREATE TABLE cards (
    token           TEXT    PRIMARY KEY,                -- card_<32 hex>
    player_id       TEXT    NOT NULL REFERENCES players (id),
    masked          TEXT    NOT NULL,
    brand           TEXT    NOT NULL,
    country         TEXT    NOT NULL,                   -- ISO 3166-1 alpha-2, from the BIN
    key_id          TEXT    NOT NULL,                   -- the card's data key, 16 hex
    kek_id          TEXT    NOT NULL,                   -- the card KEK that wraps it
    key_wrapped     BYTEA   NOT NULL,
    pan_sealed      BYTEA   NOT NULL,                   -- context cards.pan:<player>:<token>
    details_sealed  BYTEA   NOT NULL,                   -- cards.details:<player>:<token>
    created_at_ms   BIGINT  NOT NULL
);
CREATE INDEX cards_by_player ON cards (player_id, created_at_ms);
