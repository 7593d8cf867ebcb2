-- Calendar subscriptions: a secret URL per feed that calendar apps poll
-- without an Authorization header. Only the SHA-256 of the URL's token is
-- stored, as for sign-in tokens: a copy of the database opens no feed.
--
-- Ready to distribute by athlete_id (SPEC "Ready to distribute"): the
-- primary key leads with athlete_id and there is no unique constraint
-- without it. The natural key would be the token hash, but a UNIQUE
-- (token_sha256) cannot be enforced on a table distributed by athlete_id,
-- and putting the athlete id into the URL to make (athlete_id, hash) the
-- key would publish the id in every calendar app. So the hash gets a plain
-- index: tokens are 256 random bits, and two equal ones are as likely as
-- guessing one (2^-128 per pair of feeds), which no constraint is needed
-- against. Distributed, a fetch by hash asks every shard; feeds are polled
-- hourly at most, so that stays cheap.
CREATE TABLE calendar_feeds (
    athlete_id uuid NOT NULL REFERENCES athletes (id) ON DELETE CASCADE,
    id uuid NOT NULL,
    token_sha256 bytea NOT NULL CHECK (octet_length(token_sha256) = 32),
    -- The label its creator gave it, if any ("Google Calendar").
    name text CHECK (name IS NULL OR char_length(name) BETWEEN 1 AND 100),
    -- The feed works only while its creator may read the athlete: a coach's
    -- feed dies with the coach's grant (checked at every fetch).
    created_by_account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Updated at most hourly, so that owners can tell a feed in use from a
    -- forgotten one without every poll being a write.
    last_fetched_at timestamptz,
    PRIMARY KEY (athlete_id, id)
);
CREATE INDEX calendar_feeds_by_token ON calendar_feeds (token_sha256);
-- The per-creator limit counts these.
CREATE INDEX calendar_feeds_by_creator ON calendar_feeds (athlete_id, created_by_account_id);

-- A feed shows an athlete's current plans, those no plan was adapted
-- from: this finds the adaptations of a plan without reading the rest.
CREATE INDEX plans_by_parent ON plans (athlete_id, parent_plan_id)
    WHERE parent_plan_id IS NOT NULL;
