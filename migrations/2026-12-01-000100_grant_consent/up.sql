-- A grant gives a coach nothing until the coach accepts it: an athlete
-- must not be able to attach themselves to a coach (and so read the
-- coach's private exercises) without the coach's consent.
--
-- Grants made before consent existed were made under the old rule, where
-- a grant took effect at once: they stay in effect (`active`).
ALTER TABLE grants
    ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active')),
    ADD COLUMN accepted_at timestamptz;
UPDATE grants SET accepted_at = created_at;
ALTER TABLE grants ALTER COLUMN status SET DEFAULT 'pending';
ALTER TABLE grants ADD CONSTRAINT grants_accepted_when_active
    CHECK ((status = 'active') = (accepted_at IS NOT NULL));
