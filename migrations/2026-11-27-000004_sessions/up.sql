-- Logged sessions, with tombstones for syncing apps, and idempotency keys.
CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    athlete_id uuid NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
    -- The planned session this fulfils: plan, date and position that day.
    planned_plan_id uuid REFERENCES plans (id) ON DELETE SET NULL,
    planned_date date,
    planned_index smallint,
    kind text NOT NULL CHECK (kind IN ('easy_run', 'long_run', 'tempo_run', 'interval_run',
        'strength', 'hiit_circuit', 'cross_training', 'mobility')),
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    duration_min double precision NOT NULL CHECK (duration_min > 0 AND duration_min <= 1440),
    distance_km double precision CHECK (distance_km >= 0 AND distance_km <= 400),
    avg_hr smallint CHECK (avg_hr BETWEEN 25 AND 250),
    elevation_gain_m double precision CHECK (elevation_gain_m >= 0 AND elevation_gain_m <= 10000),
    rpe smallint NOT NULL CHECK (rpe BETWEEN 1 AND 10),
    notes text,
    sets jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sets) = 'array'),
    -- SHA-256 of the canonical body, to tell a repeated create from a clash.
    body_sha256 text NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    created_by_account_id uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Set on delete: the row stays as a tombstone for `updated_since`.
    deleted_at timestamptz
);
-- Keyset pagination by start time, and sync by change time, per athlete.
CREATE INDEX sessions_by_start ON sessions (athlete_id, started_at, id) WHERE deleted_at IS NULL;
CREATE INDEX sessions_by_change ON sessions (athlete_id, updated_at, id);

CREATE TABLE idempotency_keys (
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_sha256 text NOT NULL,
    response_status smallint,
    response_body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
