CREATE OR REPLACE FUNCTION webhook_listened(athlete uuid, wanted text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM webhooks w
        WHERE w.events && wanted
          AND w.account_id IN (
              SELECT owner_account_id FROM athletes WHERE id = athlete
              UNION ALL
              SELECT coach_account_id FROM grants
              WHERE athlete_id = athlete AND revoked_at IS NULL AND status = 'active'))
$$;
