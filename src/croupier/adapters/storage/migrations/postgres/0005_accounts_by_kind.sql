-- Lists of one kind of account (the jackpot pools) without scanning every player.
CREATE INDEX accounts_by_kind ON accounts (kind, id);
