DROP INDEX exercises_slug_id_idx;
DROP INDEX exercises_private_slug_unique;
DROP INDEX exercises_global_slug_unique;
-- Fails while two exercises share a slug; rename one first.
ALTER TABLE exercises ADD CONSTRAINT exercises_slug_key UNIQUE (slug);
