-- Issue 14, the audit trail: staff actions and players' security events, append-only and
-- hash-chained (croupier.domain.audit). seq runs 1, 2, 3, … with no gap; each row's hash
-- covers its content and the previous row's hash. before_json/after_json: the exact
-- canonical JSON that was hashed. at_ms: UTC milliseconds since the epoch.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
    at_ms        INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    subject      TEXT,
    source_ip    TEXT,
    reason       TEXT,
    before_json  TEXT,
    after_json   TEXT,
    prev_hash    TEXT    NOT NULL CHECK (length(prev_hash) = 64),
    hash         TEXT    NOT NULL CHECK (length(hash) = 64)
);
CREATE INDEX audit_log_by_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_by_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_by_time ON audit_log (at_ms);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
