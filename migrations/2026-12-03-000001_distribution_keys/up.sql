-- Ready to distribute by athlete (SPEC "Ready to distribute",
-- docs/scaling.md): every per-athlete table's primary key holds athlete_id,
-- and foreign keys between per-athlete tables pair athlete_id with
-- athlete_id, so that Citus can enforce each key inside one shard.
-- tests/api/distribution_keys.rs reads the catalog and keeps it so.
--
-- Already so: athletes (the root, distributed by its id), calendar_feeds,
-- webhook_outbox, webhook_announced_warnings, and the unique indexes
-- sessions_by_source and grants_live_unique. Changed here: the primary
-- keys of plans, sessions and grants, and the two links to plans.
--
-- The keys are (id, athlete_id), id first: reads by id alone
-- (GET /v1/sessions/{id}, /v1/plans/{id}, a coach's grant by id) use the
-- primary key's index as before, so no table gains an index, and reads by
-- athlete keep their athlete-first indexes. Ids stay unique in practice:
-- the server's are UUIDv7, and a client-chosen session id is checked
-- against every athlete's under a lock (src/api/sessions.rs).
--
-- Every row keeps its values, so every answer stays the same. On a large
-- table, build the new unique index first with CREATE UNIQUE INDEX
-- CONCURRENTLY (outside this migration's transaction) and swap it in with
-- ADD CONSTRAINT ... PRIMARY KEY USING INDEX, to avoid holding the table's
-- lock for the build.

ALTER TABLE sessions DROP CONSTRAINT sessions_planned_plan_id_fkey;
ALTER TABLE plans DROP CONSTRAINT plans_parent_plan_id_fkey;

ALTER TABLE plans DROP CONSTRAINT plans_pkey,
    ADD CONSTRAINT plans_pkey PRIMARY KEY (id, athlete_id);
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey,
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id, athlete_id);
ALTER TABLE grants DROP CONSTRAINT grants_pkey,
    ADD CONSTRAINT grants_pkey PRIMARY KEY (id, athlete_id);

-- A link to another athlete's plan cannot be kept in one shard. The API
-- never makes one (a session's plan must be its athlete's, an adaptation
-- is of the same athlete), so these find nothing unless rows were written
-- around it; such a link is dropped as deleting that plan would drop it.
UPDATE sessions s SET planned_plan_id = NULL
FROM plans p
WHERE p.id = s.planned_plan_id AND p.athlete_id <> s.athlete_id;
UPDATE plans child SET parent_plan_id = NULL
FROM plans parent
WHERE parent.id = child.parent_plan_id AND parent.athlete_id <> child.athlete_id;

-- NO ACTION where the old keys said ON DELETE SET NULL: Citus refuses SET
-- NULL on a foreign key that holds the distribution column (even with
-- PostgreSQL 15's SET NULL (column) list), so deleting a plan unlinks its
-- sessions and adaptations first, in the same transaction
-- (src/repo/plans.rs `delete`). An athlete's deletion still cascades to
-- both tables at once, checked at the end of the statement.
ALTER TABLE sessions ADD CONSTRAINT sessions_planned_plan_fkey
    FOREIGN KEY (athlete_id, planned_plan_id) REFERENCES plans (athlete_id, id);
ALTER TABLE plans ADD CONSTRAINT plans_parent_plan_fkey
    FOREIGN KEY (athlete_id, parent_plan_id) REFERENCES plans (athlete_id, id);
