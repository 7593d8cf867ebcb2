-- Sessions imported from a watch's activity file (FIT, GPX, TCX).
--
-- RPE becomes optional: a file records no effort, and an athlete may
-- import a run and rate it later with PUT. Existing rows all have an RPE
-- and keep it; only the NOT NULL goes, the 1–10 check stays.
ALTER TABLE sessions ALTER COLUMN rpe DROP NOT NULL;

ALTER TABLE sessions
    ADD COLUMN max_hr smallint CHECK (max_hr BETWEEN 25 AND 250),
    -- [{started_at, duration_s, distance_km, avg_hr}] as the device split them.
    ADD COLUMN laps jsonb CHECK (laps IS NULL OR jsonb_typeof(laps) = 'array'),
    -- The file a session was imported from: its format and SHA-256 (hex).
    ADD COLUMN source_format text CHECK (source_format IN ('fit', 'gpx', 'tcx')),
    ADD COLUMN source_sha256 text CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    -- Banister's TRIMP over the file's heart-rate samples.
    ADD COLUMN trimp double precision CHECK (trimp >= 0),
    ADD CONSTRAINT sessions_source_complete
        CHECK ((source_format IS NULL) = (source_sha256 IS NULL));

-- One live session per file and athlete: the same file again finds it.
-- A deleted session's file may be imported anew.
CREATE UNIQUE INDEX sessions_by_source ON sessions (athlete_id, source_sha256)
    WHERE source_sha256 IS NOT NULL AND deleted_at IS NULL;
