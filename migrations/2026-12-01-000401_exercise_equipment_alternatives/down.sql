ALTER TABLE exercises DROP COLUMN equipment_alternatives;
