DROP INDEX sessions_by_source;
ALTER TABLE sessions
    DROP CONSTRAINT sessions_source_complete,
    DROP COLUMN trimp,
    DROP COLUMN source_sha256,
    DROP COLUMN source_format,
    DROP COLUMN laps,
    DROP COLUMN max_hr;
-- Sessions without an RPE cannot go back to a NOT NULL column; refuse
-- rather than invent an effort or delete them.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM sessions WHERE rpe IS NULL) THEN
        RAISE EXCEPTION 'sessions without an RPE exist: rate or delete them before reverting';
    END IF;
END $$;
ALTER TABLE sessions ALTER COLUMN rpe SET NOT NULL;
