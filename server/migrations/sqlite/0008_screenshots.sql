-- Screenshots a browser run took (a screenshot step, or the page as a step
-- failed), numbered 1, 2, 3... per run. They go with the run's items when
-- retention prunes it.
CREATE TABLE run_screenshots (
    run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    n        INTEGER NOT NULL,
    step     INTEGER,
    label    TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    png      BLOB NOT NULL,
    PRIMARY KEY (run_id, n)
) WITHOUT ROWID;
