DROP TABLE catalog_seed_state;
DROP TABLE exercises;
