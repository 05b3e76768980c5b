-- Times are milliseconds since the Unix epoch (INTEGER), so ordering is exact.

CREATE TABLE flows (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    description   TEXT,
    url           TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('extract', 'interact', 'monitor')),
    status        TEXT NOT NULL CHECK (status IN ('active', 'paused', 'draft', 'error')),
    steps         TEXT NOT NULL DEFAULT '[]',
    output_schema TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX flows_by_created ON flows (created_at DESC, id DESC);

CREATE TABLE runs (
    id               TEXT PRIMARY KEY,
    flow_id          TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
    status           TEXT NOT NULL
                     CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    trigger          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    pages_fetched    INTEGER NOT NULL DEFAULT 0,
    pages_failed     INTEGER NOT NULL DEFAULT 0,
    items_extracted  INTEGER NOT NULL DEFAULT 0,
    bytes_downloaded INTEGER NOT NULL DEFAULT 0,
    cost             REAL NOT NULL DEFAULT 0,
    failure_reason   TEXT,
    error            TEXT
);
CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
CREATE INDEX runs_by_flow ON runs (flow_id, status, created_at);
CREATE INDEX runs_by_status ON runs (status, created_at);

CREATE TABLE run_logs (
    run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    level   TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE run_items (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Only a SHA-256 of each key is kept; `last4` is what masked lists show.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    last4      TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
