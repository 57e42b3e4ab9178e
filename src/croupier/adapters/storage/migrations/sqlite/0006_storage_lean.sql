-- Issue 12, storage: nothing to change on SQLite, where events.global_seq and transfers.seq
-- are the tables' rowids (their primary keys cost no index); PostgreSQL's 0006 drops the
-- primary-key indexes it never read. Kept so both dialects are at the same version.
SELECT 1;
