-- A running run is held by one worker through a lease that it renews; a run
-- whose lease ran out belongs to a worker that died.
ALTER TABLE runs ADD COLUMN worker_id TEXT;
ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
CREATE INDEX runs_by_lease ON runs (status, lease_expires_at);
