-- Private exercise slugs belong to their coach's namespace: a coach's
-- slug never blocks the global catalog (an admin's create, an import) or
-- another coach, and a 409 never tells one coach what another has.
-- The global catalog keeps one exercise per slug; each coach, too.
ALTER TABLE exercises DROP CONSTRAINT exercises_slug_key;
CREATE UNIQUE INDEX exercises_global_slug_unique ON exercises (slug)
    WHERE owner_account_id IS NULL;
CREATE UNIQUE INDEX exercises_private_slug_unique ON exercises (owner_account_id, slug)
    WHERE owner_account_id IS NOT NULL;
-- Lists are ordered by (slug, id) now that a viewer may see one slug twice.
CREATE INDEX exercises_slug_id_idx ON exercises (slug, id);
