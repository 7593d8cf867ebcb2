-- A replay under an Idempotency-Key answers exactly as the first request
-- was answered: status and body, and now also the headers that describe
-- the answer (Location, ETag), as {"name": "value", ...}.
ALTER TABLE idempotency_keys ADD COLUMN response_headers jsonb NOT NULL DEFAULT '{}';
