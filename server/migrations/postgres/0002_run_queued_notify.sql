-- Idle workers on every node LISTEN on this channel, so a run queued through
-- any node is taken at once. A notification is only a hint: workers poll as
-- well, so one lost while a listener reconnects only delays a run.
CREATE FUNCTION run_queued_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('scraper_run_queued', '');
    RETURN NULL;
END $$;

CREATE TRIGGER run_queued_on_insert AFTER INSERT ON runs
    FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION run_queued_notify();
