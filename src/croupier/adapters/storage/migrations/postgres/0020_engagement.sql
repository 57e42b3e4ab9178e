-- Engagement (issue 18): leaderboards made through the back office, the closed periods of
-- every board (its final standings), and slot tournaments with their entrants. Live scores
-- are in the state adapter (in process or Redis), never here. Times: UTC ms since the epoch.
CREATE TABLE leaderboard_definitions (
    id               TEXT    PRIMARY KEY,
    definition_json  TEXT    NOT NULL,
    created_by       TEXT    NOT NULL,
    created_at_ms    BIGINT  NOT NULL
);
CREATE TABLE leaderboard_periods (
    board_id         TEXT    NOT NULL,
    period           TEXT    NOT NULL,  -- its start, YYYYMMDDTHHMMSSZ: sorts in time order
    starts_at_ms     BIGINT  NOT NULL,
    ends_at_ms       BIGINT  NOT NULL,
    entries_json     TEXT    NOT NULL,  -- [[rank, player_id, score], ...] best first
    PRIMARY KEY (board_id, period)
);
CREATE TABLE tournaments (
    id               TEXT    PRIMARY KEY,
    definition_json  TEXT    NOT NULL,
    state            TEXT    NOT NULL,  -- open, settling, settled
    ends_at_ms       BIGINT  NOT NULL,
    results_json     TEXT,              -- fixed when settling starts: what the payout pays
    created_at_ms    BIGINT  NOT NULL
);
CREATE INDEX tournaments_due ON tournaments (state, ends_at_ms);
CREATE TABLE tournament_entries (
    tournament_id    TEXT    NOT NULL REFERENCES tournaments (id),
    player_id        TEXT    NOT NULL,
    joined_at_ms     BIGINT  NOT NULL,
    fee_minor        BIGINT  NOT NULL,
    PRIMARY KEY (tournament_id, player_id)
);
