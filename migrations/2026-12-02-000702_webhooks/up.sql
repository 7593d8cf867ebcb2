-- Webhooks: subscriptions of an account, an outbox filled by triggers in the
-- same transaction as the change, deliveries (one per event and
-- subscription, the unit that is retried under one `webhook-id`) and their
-- attempts. See src/webhooks/mod.rs for the flow.

CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 16),
    -- The signing secret sealed with AES-256-GCM (src/webhooks/sealing.rs):
    -- a dump of the database alone does not reveal it.
    secret_sealed bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_by_account ON webhooks (account_id, id);

-- The key that seals secrets when RUNSTRONG_WEBHOOK_SECRET_KEY is not set
-- (development only: then the key sits beside what it protects).
CREATE TABLE webhook_sealing_key (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    key bytea NOT NULL CHECK (length(key) = 32)
);

-- Changes waiting to be fanned out to subscriptions. No foreign key to
-- athletes: the insert runs inside every session write, and an event about
-- an athlete deleted meanwhile is dropped at fan-out anyway.
CREATE TABLE webhook_outbox (
    athlete_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    event_type text NOT NULL,
    data jsonb NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, id)
);
CREATE INDEX webhook_outbox_order ON webhook_outbox (id);

CREATE TABLE webhook_deliveries (
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- Sent as `webhook-id: msg_<id>`, the same on every retry.
    id uuid NOT NULL,
    athlete_id uuid NOT NULL,
    event_type text NOT NULL,
    -- The exact body signed and sent: {type, timestamp, data}.
    body text NOT NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- Set while an instance is sending it; another instance takes it over
    -- once this has passed (the sender crashed).
    lease_until timestamptz,
    -- The instance holding the lease, so that it can release its own at
    -- shutdown.
    lease_owner uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (webhook_id, id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE state <> 'pending';

CREATE TABLE webhook_attempts (
    webhook_id uuid NOT NULL,
    delivery_id uuid NOT NULL,
    attempt integer NOT NULL CHECK (attempt >= 1),
    attempted_at timestamptz NOT NULL,
    status_code smallint,
    error text,
    next_retry_at timestamptz,
    PRIMARY KEY (webhook_id, delivery_id, attempt),
    FOREIGN KEY (webhook_id, delivery_id) REFERENCES webhook_deliveries (webhook_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_listing ON webhook_attempts (webhook_id, attempted_at DESC, delivery_id, attempt);

-- Load warnings already announced by `load.warning`, so that each is sent
-- once: a warning is an event when it was not there before the change.
CREATE TABLE webhook_announced_warnings (
    athlete_id uuid NOT NULL,
    kind text NOT NULL,
    date date NOT NULL,
    announced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (athlete_id, kind, date)
);

-- Whether some subscription that may read the athlete wants one of `wanted`:
-- the owner's, or a coach's with an active grant. Only then is an event
-- written, so athletes nobody listens to pay one indexed lookup per write.
-- Access is checked again at delivery.
CREATE FUNCTION webhook_listened(athlete uuid, wanted text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM webhooks w
        WHERE w.events && wanted
          AND w.account_id IN (
              SELECT owner_account_id FROM athletes WHERE id = athlete
              UNION ALL
              SELECT coach_account_id FROM grants
              WHERE athlete_id = athlete AND revoked_at IS NULL AND status = 'active'))
$$;

CREATE FUNCTION sessions_to_webhook_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.deleted_at IS NOT NULL THEN RETURN NULL; END IF;
        event := 'session.created';
    ELSIF NEW.version = OLD.version THEN
        -- Not a change of the session itself (a deleted plan unlinking it).
        RETURN NULL;
    ELSIF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
        event := 'session.deleted';
    ELSIF NEW.deleted_at IS NULL THEN
        event := 'session.updated';
    ELSE
        RETURN NULL;
    END IF;
    IF webhook_listened(NEW.athlete_id, ARRAY[event, 'load.warning']) THEN
        INSERT INTO webhook_outbox (athlete_id, event_type, data)
        VALUES (NEW.athlete_id, event, jsonb_build_object(
            'athlete_id', NEW.athlete_id,
            'session_id', NEW.id,
            'kind', NEW.kind,
            'date', to_char(NEW.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
            'started_at', to_char(NEW.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'duration_min', NEW.duration_min,
            'distance_km', NEW.distance_km,
            'version', NEW.version));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_webhook_outbox AFTER INSERT OR UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION sessions_to_webhook_outbox();

CREATE FUNCTION plans_to_webhook_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event text;
    plan plans;
BEGIN
    IF TG_OP = 'INSERT' THEN
        plan := NEW;
        event := CASE WHEN NEW.parent_plan_id IS NULL THEN 'plan.created' ELSE 'plan.adapted' END;
    ELSE
        plan := OLD;
        event := 'plan.deleted';
    END IF;
    IF webhook_listened(plan.athlete_id, ARRAY[event]) THEN
        INSERT INTO webhook_outbox (athlete_id, event_type, data)
        VALUES (plan.athlete_id, event, jsonb_strip_nulls(jsonb_build_object(
            'athlete_id', plan.athlete_id,
            'plan_id', plan.id,
            'parent_plan_id', plan.parent_plan_id,
            'start_date', plan.start_date,
            'end_date', plan.end_date)));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER plans_webhook_outbox AFTER INSERT OR DELETE ON plans
    FOR EACH ROW EXECUTE FUNCTION plans_to_webhook_outbox();
