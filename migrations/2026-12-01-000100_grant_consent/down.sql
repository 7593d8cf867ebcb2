-- Pending grants never took effect; without the column they would.
DELETE FROM grants WHERE status = 'pending';
ALTER TABLE grants DROP CONSTRAINT grants_accepted_when_active;
ALTER TABLE grants DROP COLUMN accepted_at, DROP COLUMN status;
