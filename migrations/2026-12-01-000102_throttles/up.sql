-- Throttle rows are bounded in size and purged once they expire (by the
-- retention job, src/retention.rs), so that sign-in attempts for emails
-- nobody owns cannot fill the table.

-- Keys longer than any email the API now accepts (254 characters, at
-- most 4 bytes each) can only be left from before the cap; they are stale
-- throttles, nothing else.
DELETE FROM login_throttle WHERE octet_length(email_normalized) > 1016;
ALTER TABLE login_throttle
    ADD CONSTRAINT login_throttle_key_size CHECK (octet_length(email_normalized) <= 1016),
    -- When the row stops mattering: the end of its window or of its lockout.
    ADD COLUMN expires_at timestamptz;
UPDATE login_throttle
    SET expires_at = greatest(window_started_at + interval '1 day', locked_until);
ALTER TABLE login_throttle ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX login_throttle_expiry_idx ON login_throttle (expires_at);

-- Registrations and sign-ins per client address (an IPv4 address or an
-- IPv6 /64), shared by every instance.
CREATE TABLE address_throttle (
    action text NOT NULL CHECK (action IN ('register', 'sign_in')),
    address text NOT NULL CHECK (octet_length(address) <= 64),
    attempts integer NOT NULL,
    window_started_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (action, address)
);
CREATE INDEX address_throttle_expiry_idx ON address_throttle (expires_at);
