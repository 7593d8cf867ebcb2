DROP TABLE address_throttle;
DROP INDEX login_throttle_expiry_idx;
ALTER TABLE login_throttle DROP COLUMN expires_at, DROP CONSTRAINT login_throttle_key_size;
