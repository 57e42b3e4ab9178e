-- Issue 12, storage: the primary-key indexes of events and transfers were never read (events
-- are found by (stream, seq) or by batch, transfers by id, by account or by batch) and cost
-- PostgreSQL 120 bytes a round. Their keys stay unique without them: both come from identity
-- columns (GENERATED ALWAYS), and each table keeps a unique key of its own, (stream, seq) and
-- id, which can also serve as a replica identity.
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE transfers DROP CONSTRAINT transfers_pkey;
