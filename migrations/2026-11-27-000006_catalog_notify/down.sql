ALTER TABLE exercises ALTER COLUMN slug TYPE text COLLATE "default";
DROP TRIGGER exercises_changed ON exercises;
DROP FUNCTION runstrong_notify_catalog_changed();
