-- A flow's schedule (`every 15m` or a cron expression, read in `timezone`)
-- and its next tick. `next_run_at` is set only while the flow is active;
-- the scheduler claims a tick by moving it on with a compare-and-set, so
-- two processes on one database fire each tick once.
ALTER TABLE flows ADD COLUMN schedule TEXT;
ALTER TABLE flows ADD COLUMN timezone TEXT;
ALTER TABLE flows ADD COLUMN next_run_at INTEGER;
CREATE INDEX flows_due ON flows (next_run_at) WHERE next_run_at IS NOT NULL;
