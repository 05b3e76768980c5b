-- Each run counts its log lines: the next line takes its seq from this
-- counter, bumped in the transaction that inserts it, instead of from
-- MAX(seq) + 1, which two concurrent writers can both read alike.
ALTER TABLE runs ADD COLUMN log_seq INTEGER NOT NULL DEFAULT 0;
UPDATE runs
   SET log_seq = COALESCE((SELECT MAX(seq) FROM run_logs WHERE run_logs.run_id = runs.id), 0);
