-- Stored plans: what was asked for and what was generated, per athlete.
CREATE TABLE plans (
    id uuid PRIMARY KEY,
    athlete_id uuid NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
    created_by_account_id uuid REFERENCES accounts (id) ON DELETE SET NULL,
    request jsonb NOT NULL CHECK (jsonb_typeof(request) = 'object'),
    plan jsonb NOT NULL CHECK (jsonb_typeof(plan) = 'object'),
    start_date date NOT NULL,
    end_date date NOT NULL CHECK (end_date >= start_date),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_athlete_idx ON plans (athlete_id, id);
