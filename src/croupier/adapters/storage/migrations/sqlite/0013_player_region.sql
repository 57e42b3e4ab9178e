-- Issue 15, which jurisdiction profile applies: a player registered in the US or Canada
-- names the state or province (the ISO 3166-2 part after "US-" / "CA-"), since both license
-- online casinos per state (docs/compliance.md). Not personal data beyond the country, so
-- stored in clear beside it; NULL for every other country and for players before this.
ALTER TABLE players ADD COLUMN state TEXT;
