-- A race is logged like any session: `race` joins the session kinds
-- (the plan's race day is a session of kind `race`).
ALTER TABLE sessions DROP CONSTRAINT sessions_kind_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_kind_check CHECK (kind IN ('easy_run', 'long_run',
    'tempo_run', 'interval_run', 'strength', 'hiit_circuit', 'cross_training', 'mobility', 'race'));
