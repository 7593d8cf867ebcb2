ALTER TABLE plans DROP COLUMN parent_plan_id;
