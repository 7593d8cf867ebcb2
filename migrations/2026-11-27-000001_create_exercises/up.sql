-- The exercise catalog. Vocabulary columns are text with CHECK constraints
-- mirroring src/domain/vocabulary.rs: adding a value is one migration, and
-- the database refuses anything the API would not understand.

CREATE TABLE exercises (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE
        CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    summary text NOT NULL,
    category text NOT NULL CHECK (category IN (
        'core', 'lower_body', 'upper_body', 'full_body', 'plyometric',
        'mobility', 'warm_up', 'cool_down')),
    movement_pattern text NOT NULL CHECK (movement_pattern IN (
        'squat', 'hinge', 'lunge', 'push', 'pull', 'rotation', 'anti_rotation',
        'anti_extension', 'bridge', 'calf_raise', 'jump', 'carry', 'mobility')),
    primary_muscles text[] NOT NULL CHECK (
        cardinality(primary_muscles) > 0 AND primary_muscles <@ ARRAY[
        'glutes', 'hamstrings', 'quadriceps', 'calves', 'hip_flexors', 'adductors',
        'hip_abductors', 'abs', 'obliques', 'lower_back', 'upper_back', 'lats',
        'chest', 'shoulders', 'triceps', 'biceps', 'feet_ankles']),
    secondary_muscles text[] NOT NULL CHECK (secondary_muscles <@ ARRAY[
        'glutes', 'hamstrings', 'quadriceps', 'calves', 'hip_flexors', 'adductors',
        'hip_abductors', 'abs', 'obliques', 'lower_back', 'upper_back', 'lats',
        'chest', 'shoulders', 'triceps', 'biceps', 'feet_ankles']),
    equipment text[] NOT NULL CHECK (cardinality(equipment) > 0 AND equipment <@ ARRAY[
        'none', 'dumbbell', 'kettlebell', 'medicine_ball', 'resistance_band',
        'cable_machine', 'box', 'bench', 'barbell', 'step', 'stability_ball',
        'pull_up_bar', 'mat']),
    unilateral boolean NOT NULL,
    compound boolean NOT NULL,
    impact text NOT NULL CHECK (impact IN ('low', 'moderate', 'high')),
    -- 1 low, 2 moderate, 3 high: lets `max_impact` be a range predicate.
    impact_rank smallint GENERATED ALWAYS AS (
        CASE impact WHEN 'low' THEN 1 WHEN 'moderate' THEN 2 ELSE 3 END) STORED,
    difficulty smallint NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
    instructions text[] NOT NULL CHECK (cardinality(instructions) > 0),
    cues text[] NOT NULL,
    easier jsonb NOT NULL CHECK (jsonb_typeof(easier) = 'array'),
    harder jsonb NOT NULL CHECK (jsonb_typeof(harder) = 'array'),
    substitutes text[] NOT NULL,
    avoid_with text[] NOT NULL CHECK (avoid_with <@ ARRAY[
        'knee', 'ankle', 'achilles', 'hip', 'lower_back', 'shoulder', 'wrist',
        'plantar_fascia', 'shin']),
    helps_with text[] NOT NULL CHECK (helps_with <@ ARRAY[
        'knee', 'ankle', 'achilles', 'hip', 'lower_back', 'shoulder', 'wrist',
        'plantar_fascia', 'shin']),
    benefits text[] NOT NULL CHECK (cardinality(benefits) > 0 AND benefits <@ ARRAY[
        'running_economy', 'power', 'endurance', 'stability', 'injury_prevention',
        'form']),
    default_prescription jsonb NOT NULL CHECK (jsonb_typeof(default_prescription) = 'object'),
    -- Where the row came from: the shipped seed may refresh only its own
    -- rows, never ones an admin or an import has changed since.
    origin text NOT NULL DEFAULT 'seed' CHECK (origin IN ('seed', 'admin', 'import')),
    search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A') ||
        setweight(to_tsvector('english', summary), 'B')) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX exercises_search_idx ON exercises USING gin (search_vector);
CREATE INDEX exercises_primary_muscles_idx ON exercises USING gin (primary_muscles);
CREATE INDEX exercises_equipment_idx ON exercises USING gin (equipment);
CREATE INDEX exercises_category_slug_idx ON exercises (category, slug);

-- One row: the hash of the seed file last applied, so restarts skip work.
CREATE TABLE catalog_seed_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seed_sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
