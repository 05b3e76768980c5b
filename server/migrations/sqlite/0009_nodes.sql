-- The server processes sharing this database: each one's row is renewed by
-- its heartbeat and removed when it stops; a row whose heartbeat is old
-- belongs to a node that died. Runs say which node executed them.
CREATE TABLE nodes (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    workers      INTEGER NOT NULL,
    running      INTEGER NOT NULL
);

ALTER TABLE runs ADD COLUMN node TEXT;
