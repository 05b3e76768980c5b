-- The keys of a run's items, each with where it first appears (the item's
-- seq, then its place in the item), so that a CSV export of a whole run
-- knows its columns without walking every item first. A trigger keeps it in
-- the statement's own transaction, whoever inserts the items.
CREATE TABLE run_item_keys (
    run_id    TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    pos       INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Texts that are not JSON objects add no key (they make no CSV row).
INSERT INTO run_item_keys (run_id, key, first_seq, pos)
    SELECT run_id, key, seq, id FROM (
        SELECT i.run_id, j.key, i.seq, j.id,
               ROW_NUMBER() OVER (PARTITION BY i.run_id, j.key ORDER BY i.seq, j.id) AS nth
        FROM run_items i,
             json_each(CASE WHEN json_valid(i.data) AND json_type(i.data) = 'object'
                            THEN i.data END) j
    ) WHERE nth = 1;

CREATE TRIGGER run_item_keys_on_insert AFTER INSERT ON run_items
WHEN json_valid(NEW.data) AND json_type(NEW.data) = 'object'
BEGIN
    INSERT INTO run_item_keys (run_id, key, first_seq, pos)
        SELECT NEW.run_id, j.key, NEW.seq, j.id FROM json_each(NEW.data) j WHERE true
        ON CONFLICT (run_id, key) DO UPDATE SET first_seq = excluded.first_seq, pos = excluded.pos
        WHERE (excluded.first_seq, excluded.pos) < (run_item_keys.first_seq, run_item_keys.pos);
END;
