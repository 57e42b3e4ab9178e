-- Issue 14, the audit trail: staff actions and players' security events, append-only and
-- hash-chained (croupier.domain.audit). seq runs 1, 2, 3, … with no gap; each row's hash
-- covers its content and the previous row's hash. before_json/after_json are TEXT, not
-- JSONB: the exact canonical bytes that were hashed come back. at_ms: UTC milliseconds.
CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY CHECK (seq >= 1),
    at_ms        BIGINT NOT NULL,
    actor        TEXT   NOT NULL,
    action       TEXT   NOT NULL,
    subject      TEXT,
    source_ip    TEXT,
    reason       TEXT,
    before_json  TEXT,
    after_json   TEXT,
    prev_hash    TEXT   NOT NULL CHECK (length(prev_hash) = 64),
    hash         TEXT   NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_by_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_by_time ON audit_log (at_ms);

-- Append-only for every role but a superuser who disables the triggers; the chain shows
-- what such a one changed (`croupier audit verify`).
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION croupier_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION croupier_append_only();
