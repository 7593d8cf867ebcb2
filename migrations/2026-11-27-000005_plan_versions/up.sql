-- An adapted plan is a new version of the plan it was made from.
ALTER TABLE plans ADD COLUMN parent_plan_id uuid REFERENCES plans (id) ON DELETE SET NULL;
