DELETE FROM exercises WHERE owner_account_id IS NOT NULL OR origin = 'coach';
DROP INDEX exercises_owner_idx;
ALTER TABLE exercises DROP CONSTRAINT exercises_origin_check;
ALTER TABLE exercises
    ADD CONSTRAINT exercises_origin_check CHECK (origin IN ('seed', 'admin', 'import'));
ALTER TABLE exercises DROP COLUMN owner_account_id;
DROP TABLE grants;
DROP TABLE athletes;
DROP TABLE login_throttle;
DROP TABLE tokens;
DROP TABLE accounts;
