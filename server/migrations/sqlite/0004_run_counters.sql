-- Lists cost the same whatever the history: a flow carries its run figures,
-- and run_counts holds how many runs each (flow, status) has, for the runs
-- list's totals. Triggers keep both in the statement's own transaction, so
-- no code path that makes, finishes or deletes a run can forget them.
ALTER TABLE flows ADD COLUMN total_runs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN completed_runs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN failed_runs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN last_run_at INTEGER;

UPDATE flows SET
    total_runs = (SELECT COUNT(*) FROM runs r WHERE r.flow_id = flows.id),
    completed_runs = (SELECT COUNT(*) FROM runs r WHERE r.flow_id = flows.id AND r.status = 'completed'),
    failed_runs = (SELECT COUNT(*) FROM runs r WHERE r.flow_id = flows.id AND r.status = 'failed'),
    last_run_at = (SELECT MAX(r.created_at) FROM runs r WHERE r.flow_id = flows.id);

CREATE TABLE run_counts (
    flow_id TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    status  TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (flow_id, status)
);
INSERT INTO run_counts (flow_id, status, n)
    SELECT flow_id, status, COUNT(*) FROM runs GROUP BY flow_id, status;

CREATE TRIGGER runs_counted_on_insert AFTER INSERT ON runs BEGIN
    UPDATE flows SET
        total_runs = total_runs + 1,
        completed_runs = completed_runs + (NEW.status = 'completed'),
        failed_runs = failed_runs + (NEW.status = 'failed'),
        last_run_at = MAX(COALESCE(last_run_at, NEW.created_at), NEW.created_at)
    WHERE id = NEW.flow_id;
    INSERT INTO run_counts (flow_id, status, n) VALUES (NEW.flow_id, NEW.status, 1)
        ON CONFLICT (flow_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER runs_counted_on_status AFTER UPDATE OF status ON runs
WHEN NEW.status IS NOT OLD.status BEGIN
    UPDATE flows SET
        completed_runs = completed_runs + (NEW.status = 'completed') - (OLD.status = 'completed'),
        failed_runs = failed_runs + (NEW.status = 'failed') - (OLD.status = 'failed')
    WHERE id = NEW.flow_id;
    UPDATE run_counts SET n = n - 1 WHERE flow_id = OLD.flow_id AND status = OLD.status;
    INSERT INTO run_counts (flow_id, status, n) VALUES (NEW.flow_id, NEW.status, 1)
        ON CONFLICT (flow_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER runs_counted_on_delete AFTER DELETE ON runs BEGIN
    UPDATE flows SET
        total_runs = total_runs - 1,
        completed_runs = completed_runs - (OLD.status = 'completed'),
        failed_runs = failed_runs - (OLD.status = 'failed'),
        last_run_at = (SELECT MAX(r.created_at) FROM runs r WHERE r.flow_id = OLD.flow_id)
    WHERE id = OLD.flow_id;
    UPDATE run_counts SET n = n - 1 WHERE flow_id = OLD.flow_id AND status = OLD.status;
END;

-- The runs list pages newest first under either filter or both.
CREATE INDEX runs_by_flow_created ON runs (flow_id, created_at DESC, id DESC);
CREATE INDEX runs_by_flow_status_created ON runs (flow_id, status, created_at DESC, id DESC);
CREATE INDEX runs_by_status_created ON runs (status, created_at DESC, id DESC);
