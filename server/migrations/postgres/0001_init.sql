-- The whole schema of SQLite's migrations 0001-0009, for PostgreSQL.
-- Times are milliseconds since the Unix epoch (BIGINT), as in SQLite, so the
-- code shares one time form. JSON columns are `json`, not `jsonb`: jsonb
-- reorders an object's keys, and their order is meaning here (a schema's
-- field order is the CSV's column order; items come back as they were made).

CREATE TABLE flows (
    id                       TEXT PRIMARY KEY,
    name                     TEXT NOT NULL,
    description              TEXT,
    url                      TEXT NOT NULL,
    mode                     TEXT NOT NULL CHECK (mode IN ('extract', 'interact', 'monitor')),
    status                   TEXT NOT NULL CHECK (status IN ('active', 'paused', 'draft', 'error')),
    steps                    JSON NOT NULL DEFAULT '[]',
    output_schema            JSON,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    -- Run figures, kept by the triggers below.
    total_runs               BIGINT NOT NULL DEFAULT 0,
    completed_runs           BIGINT NOT NULL DEFAULT 0,
    failed_runs              BIGINT NOT NULL DEFAULT 0,
    last_run_at              BIGINT,
    -- Schedules: the next tick is claimed by a compare-and-set on next_run_at.
    schedule                 TEXT,
    timezone                 TEXT,
    next_run_at              BIGINT,
    monitor                  JSON,
    webhook_url              TEXT,
    webhook_secret           TEXT,
    webhook_old_secret       TEXT,
    webhook_old_secret_until BIGINT,
    webhook_disabled         TEXT
);
CREATE INDEX flows_by_created ON flows (created_at DESC, id DESC);
CREATE INDEX flows_due ON flows (next_run_at) WHERE next_run_at IS NOT NULL;

CREATE TABLE runs (
    id               TEXT PRIMARY KEY,
    flow_id          TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    status           TEXT NOT NULL
                     CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    trigger          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    pages_fetched    BIGINT NOT NULL DEFAULT 0,
    pages_failed     BIGINT NOT NULL DEFAULT 0,
    items_extracted  BIGINT NOT NULL DEFAULT 0,
    bytes_downloaded BIGINT NOT NULL DEFAULT 0,
    cost             DOUBLE PRECISION NOT NULL DEFAULT 0,
    failure_reason   TEXT,
    error            TEXT,
    worker_id        TEXT,
    lease_expires_at BIGINT,
    log_seq          BIGINT NOT NULL DEFAULT 0,
    changes          JSON,
    pruned_at        BIGINT,
    node             TEXT
);
CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_by_flow_created ON runs (flow_id, created_at DESC, id DESC);
CREATE INDEX runs_by_flow_status_created ON runs (flow_id, status, created_at DESC, id DESC);
CREATE INDEX runs_by_status_created ON runs (status, created_at DESC, id DESC);
CREATE INDEX runs_by_lease ON runs (lease_expires_at) WHERE status = 'running';
-- The queue: claims take the oldest queued run.
CREATE INDEX runs_queued ON runs (created_at, id) WHERE status = 'queued';

CREATE TABLE run_logs (
    run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq     BIGINT NOT NULL,
    ts      BIGINT NOT NULL,
    level   TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE run_items (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL,
    data   JSON NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Each key of a run's items with where it first appears, kept as items are
-- stored, so that a CSV export of a whole run knows its columns at once.
CREATE TABLE run_item_keys (
    run_id    TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    first_seq BIGINT NOT NULL,
    pos       BIGINT NOT NULL,
    PRIMARY KEY (run_id, key)
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    last4      TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- How many runs each (flow, status) has, for the runs list's totals.
CREATE TABLE run_counts (
    flow_id TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    status  TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (flow_id, status)
);

CREATE TABLE run_changes (
    run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq     BIGINT NOT NULL,
    flow_id TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('added', 'removed', 'changed', 'text')),
    data    JSON NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX run_changes_by_flow ON run_changes (flow_id, run_id);
CREATE INDEX run_changes_by_kind ON run_changes (run_id, kind, seq);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    -- Insertion order, for messages made in the same millisecond.
    seq             BIGSERIAL NOT NULL,
    flow_id         TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    run_id          TEXT REFERENCES runs (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    body            TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_flow ON webhook_deliveries (flow_id, created_at DESC);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    status_code INTEGER,
    latency_ms  BIGINT NOT NULL,
    error       TEXT,
    response    TEXT,
    PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE run_screenshots (
    run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    n        BIGINT NOT NULL,
    step     BIGINT,
    label    TEXT NOT NULL,
    taken_at BIGINT NOT NULL,
    png      BYTEA NOT NULL,
    PRIMARY KEY (run_id, n)
);

CREATE TABLE nodes (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    workers      BIGINT NOT NULL,
    running      BIGINT NOT NULL
);

-- Run figures follow every run in the statement that changes it: whoever
-- makes, finishes or deletes a run, the counts cannot be forgotten.
CREATE FUNCTION runs_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE flows SET
            total_runs = total_runs + 1,
            completed_runs = completed_runs + (NEW.status = 'completed')::int,
            failed_runs = failed_runs + (NEW.status = 'failed')::int,
            last_run_at = GREATEST(COALESCE(last_run_at, NEW.created_at), NEW.created_at)
        WHERE id = NEW.flow_id;
        INSERT INTO run_counts (flow_id, status, n) VALUES (NEW.flow_id, NEW.status, 1)
            ON CONFLICT (flow_id, status) DO UPDATE SET n = run_counts.n + 1;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            UPDATE flows SET
                completed_runs = completed_runs + (NEW.status = 'completed')::int
                                                - (OLD.status = 'completed')::int,
                failed_runs = failed_runs + (NEW.status = 'failed')::int
                                          - (OLD.status = 'failed')::int
            WHERE id = NEW.flow_id;
            UPDATE run_counts SET n = n - 1 WHERE flow_id = OLD.flow_id AND status = OLD.status;
            INSERT INTO run_counts (flow_id, status, n) VALUES (NEW.flow_id, NEW.status, 1)
                ON CONFLICT (flow_id, status) DO UPDATE SET n = run_counts.n + 1;
        END IF;
        RETURN NEW;
    ELSE
        UPDATE flows SET
            total_runs = total_runs - 1,
            completed_runs = completed_runs - (OLD.status = 'completed')::int,
            failed_runs = failed_runs - (OLD.status = 'failed')::int,
            last_run_at = (SELECT MAX(r.created_at) FROM runs r WHERE r.flow_id = OLD.flow_id)
        WHERE id = OLD.flow_id;
        UPDATE run_counts SET n = n - 1 WHERE flow_id = OLD.flow_id AND status = OLD.status;
        RETURN OLD;
    END IF;
END;
$$;
CREATE TRIGGER runs_counted_on_insert AFTER INSERT ON runs
    FOR EACH ROW EXECUTE FUNCTION runs_counted();
CREATE TRIGGER runs_counted_on_status AFTER UPDATE OF status ON runs
    FOR EACH ROW EXECUTE FUNCTION runs_counted();
CREATE TRIGGER runs_counted_on_delete AFTER DELETE ON runs
    FOR EACH ROW EXECUTE FUNCTION runs_counted();

-- A run's item keys, each with its first place (item, then place in it).
-- Once per statement over all its rows: items come in batches of hundreds,
-- and a key is written once a batch, not once an item.
CREATE FUNCTION run_item_keys_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_item_keys (run_id, key, first_seq, pos)
        SELECT DISTINCT ON (n.run_id, k.key) n.run_id, k.key, n.seq, k.pos
        FROM new_items AS n
        CROSS JOIN LATERAL json_object_keys(
            CASE WHEN json_typeof(n.data) = 'object' THEN n.data END
        ) WITH ORDINALITY AS k(key, pos)
        ORDER BY n.run_id, k.key, n.seq, k.pos
        ON CONFLICT (run_id, key) DO UPDATE
            SET first_seq = excluded.first_seq, pos = excluded.pos
            WHERE (excluded.first_seq, excluded.pos)
                < (run_item_keys.first_seq, run_item_keys.pos);
    RETURN NULL;
END;
$$;
CREATE TRIGGER run_item_keys_on_insert AFTER INSERT ON run_items
    REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION run_item_keys_kept();

-- A run that ends completed or failed queues its webhook events in the
-- statement that ends it: no way of ending a run can forget them.
CREATE FUNCTION runs_webhook_on_finish() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('completed', 'failed') AND OLD.status IN ('queued', 'running') THEN
        INSERT INTO webhook_deliveries (id, flow_id, run_id, event, status, created_at, next_attempt_at)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), f.id, NEW.id,
                   CASE NEW.status WHEN 'completed' THEN 'run.completed' ELSE 'run.failed' END,
                   'pending', COALESCE(NEW.finished_at, 0), COALESCE(NEW.finished_at, 0)
            FROM flows f
            WHERE f.id = NEW.flow_id AND f.webhook_url IS NOT NULL AND f.webhook_disabled IS NULL;
        IF NEW.status = 'completed' AND (NEW.changes ->> 'notified') = 'true' THEN
            INSERT INTO webhook_deliveries (id, flow_id, run_id, event, status, created_at, next_attempt_at)
                SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), f.id, NEW.id,
                       'changes.detected', 'pending',
                       COALESCE(NEW.finished_at, 0), COALESCE(NEW.finished_at, 0)
                FROM flows f
                WHERE f.id = NEW.flow_id AND f.webhook_url IS NOT NULL AND f.webhook_disabled IS NULL;
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER runs_webhook_on_finish AFTER UPDATE OF status ON runs
    FOR EACH ROW EXECUTE FUNCTION runs_webhook_on_finish();
