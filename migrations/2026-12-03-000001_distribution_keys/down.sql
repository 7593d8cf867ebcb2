-- Back to keys by id alone. Ids are unique in practice (see up.sql), so
-- the old primary keys can be rebuilt from the same rows.
ALTER TABLE sessions DROP CONSTRAINT sessions_planned_plan_fkey;
ALTER TABLE plans DROP CONSTRAINT plans_parent_plan_fkey;

ALTER TABLE grants DROP CONSTRAINT grants_pkey,
    ADD CONSTRAINT grants_pkey PRIMARY KEY (id);
ALTER TABLE sessions DROP CONSTRAINT sessions_pkey,
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);
ALTER TABLE plans DROP CONSTRAINT plans_pkey,
    ADD CONSTRAINT plans_pkey PRIMARY KEY (id);

ALTER TABLE plans ADD CONSTRAINT plans_parent_plan_id_fkey
    FOREIGN KEY (parent_plan_id) REFERENCES plans (id) ON DELETE SET NULL;
ALTER TABLE sessions ADD CONSTRAINT sessions_planned_plan_id_fkey
    FOREIGN KEY (planned_plan_id) REFERENCES plans (id) ON DELETE SET NULL;
