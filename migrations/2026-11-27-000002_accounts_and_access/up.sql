-- Accounts, bearer tokens, login throttling, athlete profiles, coach
-- grants, and private (coach-owned) exercises.

CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    -- Lower-cased email: one account per address whatever its case.
    email_normalized text NOT NULL UNIQUE,
    -- argon2id PHC string; never sent anywhere.
    password_hash text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL CHECK (role IN ('athlete', 'coach', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a token is stored: a dump of this table signs no one in.
CREATE TABLE tokens (
    token_sha256 bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX tokens_account_idx ON tokens (account_id);

-- Failed logins per email, shared by every instance.
CREATE TABLE login_throttle (
    email_normalized text PRIMARY KEY,
    failures integer NOT NULL,
    window_started_at timestamptz NOT NULL,
    locked_until timestamptz
);

CREATE TABLE athletes (
    id uuid PRIMARY KEY,
    -- The athlete's own account, or the coach who manages an athlete
    -- without an app.
    owner_account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name text NOT NULL,
    -- The plan-request fields of SPEC, validated by the API.
    profile jsonb NOT NULL CHECK (jsonb_typeof(profile) = 'object'),
    -- Bumped by every change; the ETag is derived from it.
    version bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX athletes_owner_idx ON athletes (owner_account_id, id);

CREATE TABLE grants (
    id uuid PRIMARY KEY,
    athlete_id uuid NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
    coach_account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    access text NOT NULL CHECK (access IN ('read', 'read_write')),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
-- At most one live grant per athlete and coach; lookups by coach are the
-- hot path of every coach request.
CREATE UNIQUE INDEX grants_live_unique ON grants (athlete_id, coach_account_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_live_by_coach ON grants (coach_account_id, athlete_id) WHERE revoked_at IS NULL;

-- Private exercises belong to a coach; NULL means the global catalog.
ALTER TABLE exercises
    ADD COLUMN owner_account_id uuid REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE exercises DROP CONSTRAINT exercises_origin_check;
ALTER TABLE exercises
    ADD CONSTRAINT exercises_origin_check CHECK (origin IN ('seed', 'admin', 'import', 'coach'));
CREATE INDEX exercises_owner_idx ON exercises (owner_account_id) WHERE owner_account_id IS NOT NULL;
