-- Every change to the catalog tells the instances listening on
-- `runstrong_catalog` to drop their in-memory copy (src/catalog_cache.rs).
-- NOTIFY is delivered at commit, so listeners never hear of a change they
-- cannot yet read.
CREATE FUNCTION runstrong_notify_catalog_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('runstrong_catalog', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER exercises_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON exercises
FOR EACH STATEMENT EXECUTE FUNCTION runstrong_notify_catalog_changed();

-- Slug order is byte order everywhere, whatever the database's collation:
-- list pages are cut by slug both in SQL and in memory, and the two must
-- agree for cursors to hold across them.
ALTER TABLE exercises ALTER COLUMN slug TYPE text COLLATE "C";
