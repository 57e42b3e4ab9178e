-- Issue 18, personalisation: what the engagement tally aggregates from committed round and
-- deposit events (services/engagement). Derived statistics, never money: a crash loses at
-- most the counts of the tally's last flush interval. Times are UTC milliseconds since the
-- epoch; amounts are minor units of the player's one currency.

-- Per player and game: rounds settled and staked (the recommender's input).
CREATE TABLE engagement_plays (
    player_id      TEXT    NOT NULL,
    game_id        TEXT    NOT NULL,
    rounds         INTEGER NOT NULL CHECK (rounds >= 0),
    stake_minor    INTEGER NOT NULL CHECK (stake_minor >= 0),
    last_played_ms INTEGER NOT NULL,
    PRIMARY KEY (player_id, game_id)
);
CREATE INDEX engagement_plays_by_time ON engagement_plays (last_played_ms);

-- Per player and UTC day: the segments' input (activity, VIP stakes, risk signals).
CREATE TABLE engagement_days (
    player_id         TEXT    NOT NULL,
    day               TEXT    NOT NULL,  -- YYYY-MM-DD, UTC
    rounds            INTEGER NOT NULL CHECK (rounds >= 0),
    stake_minor       INTEGER NOT NULL CHECK (stake_minor >= 0),
    late_night_rounds INTEGER NOT NULL CHECK (late_night_rounds >= 0),
    deposits_minor    INTEGER NOT NULL CHECK (deposits_minor >= 0),
    PRIMARY KEY (player_id, day)
);
