-- Monitors: how a flow's runs are compared (`monitor`, JSON), the changes
-- each run found, retention, and webhooks delivered from an outbox.

ALTER TABLE flows ADD COLUMN monitor TEXT;
ALTER TABLE flows ADD COLUMN webhook_url TEXT;
-- The signing secret must be kept as it is (HMAC needs it); the API shows it
-- whole only in the answer that made it. After a rotation the old one signs
-- too, until `webhook_old_secret_until`.
ALTER TABLE flows ADD COLUMN webhook_secret TEXT;
ALTER TABLE flows ADD COLUMN webhook_old_secret TEXT;
ALTER TABLE flows ADD COLUMN webhook_old_secret_until INTEGER;
-- Why deliveries stopped (a 410 Gone); NULL while they go.
ALTER TABLE flows ADD COLUMN webhook_disabled TEXT;

-- A monitor run's change counts (JSON), set in the statement that finishes it.
ALTER TABLE runs ADD COLUMN changes TEXT;
-- When retention removed the run's items and logs.
ALTER TABLE runs ADD COLUMN pruned_at INTEGER;

-- Each change a run found, in the order found; written in the transaction
-- that finishes the run, and kept when retention prunes the run's items.
CREATE TABLE run_changes (
    run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    flow_id TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('added', 'removed', 'changed', 'text')),
    data    TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE INDEX run_changes_by_flow ON run_changes (flow_id, run_id);
CREATE INDEX run_changes_by_kind ON run_changes (run_id, kind, seq);

-- The webhook outbox: one row per message (its id is the `webhook-id`
-- header), attempted until delivered or given up. The body is made at the
-- first attempt and kept, so every attempt sends the same bytes.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    flow_id         TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    run_id          TEXT REFERENCES runs (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- An attempt in flight holds the row until then; a process that dies
    -- mid-attempt leaves it to be taken again afterwards.
    locked_until    INTEGER,
    body            TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_flow ON webhook_deliveries (flow_id, created_at DESC);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status_code INTEGER,
    latency_ms  INTEGER NOT NULL,
    error       TEXT,
    response    TEXT,
    PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;

-- A run that ends completed or failed queues its events for the flow's
-- webhook in the statement that ends it, so no way of ending a run (a
-- worker, the sweeper, a shutdown) can forget them, and a crash loses none.
CREATE TRIGGER runs_webhook_on_finish AFTER UPDATE OF status ON runs
WHEN NEW.status IN ('completed', 'failed') AND OLD.status IN ('queued', 'running')
BEGIN
    INSERT INTO webhook_deliveries (id, flow_id, run_id, event, status, created_at, next_attempt_at)
        SELECT 'msg_' || lower(hex(randomblob(16))), f.id, NEW.id,
               CASE NEW.status WHEN 'completed' THEN 'run.completed' ELSE 'run.failed' END,
               'pending', COALESCE(NEW.finished_at, 0), COALESCE(NEW.finished_at, 0)
        FROM flows f
        WHERE f.id = NEW.flow_id AND f.webhook_url IS NOT NULL AND f.webhook_disabled IS NULL;
    INSERT INTO webhook_deliveries (id, flow_id, run_id, event, status, created_at, next_attempt_at)
        SELECT 'msg_' || lower(hex(randomblob(16))), f.id, NEW.id, 'changes.detected',
               'pending', COALESCE(NEW.finished_at, 0), COALESCE(NEW.finished_at, 0)
        FROM flows f
        WHERE f.id = NEW.flow_id AND f.webhook_url IS NOT NULL AND f.webhook_disabled IS NULL
          AND NEW.status = 'completed' AND json_extract(NEW.changes, '$.notified') = 1;
END;
