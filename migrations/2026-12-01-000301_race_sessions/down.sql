-- Logged races stay (NOT VALID checks new rows only): going back loses no data.
ALTER TABLE sessions DROP CONSTRAINT sessions_kind_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_kind_check CHECK (kind IN ('easy_run', 'long_run',
    'tempo_run', 'interval_run', 'strength', 'hiit_circuit', 'cross_training', 'mobility')) NOT VALID;
