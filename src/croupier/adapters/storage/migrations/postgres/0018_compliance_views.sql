-- The back office's compliance views (issue 15): the players excluded now, and a player's
-- AML flags, each read through an index rather than a scan of the table.
CREATE INDEX responsible_gambling_by_exclusion ON responsible_gambling (exclusion_until_ms)
    WHERE exclusion_kind IS NOT NULL;
CREATE INDEX risk_flags_by_player ON risk_flags (player_id, state);
