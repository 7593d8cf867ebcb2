// Written by hand to match migrations/. Generated columns (`impact_rank`,
// `search_vector`) are read-only; `search_vector` is used only in raw SQL.
// Per-athlete tables have athlete_id in their primary keys (ready to
// distribute by athlete, docs/scaling.md): `find` takes (id, athlete_id).

diesel::table! {
    exercises (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        summary -> Text,
        category -> Text,
        movement_pattern -> Text,
        primary_muscles -> Array<Text>,
        secondary_muscles -> Array<Text>,
        equipment -> Array<Text>,
        unilateral -> Bool,
        compound -> Bool,
        impact -> Text,
        impact_rank -> SmallInt,
        difficulty -> SmallInt,
        instructions -> Array<Text>,
        cues -> Array<Text>,
        easier -> Jsonb,
        harder -> Jsonb,
        substitutes -> Array<Text>,
        avoid_with -> Array<Text>,
        helps_with -> Array<Text>,
        benefits -> Array<Text>,
        default_prescription -> Jsonb,
        origin -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        owner_account_id -> Nullable<Uuid>,
        equipment_alternatives -> Jsonb,
    }
}

diesel::table! {
    catalog_seed_state (singleton) {
        singleton -> Bool,
        seed_sha256 -> Text,
        applied_at -> Timestamptz,
    }
}

diesel::table! {
    accounts (id) {
        id -> Uuid,
        email -> Text,
        email_normalized -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    tokens (token_sha256) {
        token_sha256 -> Bytea,
        account_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_throttle (email_normalized) {
        email_normalized -> Text,
        failures -> Integer,
        window_started_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    address_throttle (action, address) {
        action -> Text,
        address -> Text,
        attempts -> Integer,
        window_started_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    athletes (id) {
        id -> Uuid,
        owner_account_id -> Uuid,
        name -> Text,
        profile -> Jsonb,
        version -> BigInt,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    grants (id, athlete_id) {
        id -> Uuid,
        athlete_id -> Uuid,
        coach_account_id -> Uuid,
        access -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        status -> Text,
        accepted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    plans (id, athlete_id) {
        id -> Uuid,
        athlete_id -> Uuid,
        created_by_account_id -> Nullable<Uuid>,
        request -> Jsonb,
        plan -> Jsonb,
        start_date -> Date,
        end_date -> Date,
        created_at -> Timestamptz,
        parent_plan_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    sessions (id, athlete_id) {
        id -> Uuid,
        athlete_id -> Uuid,
        planned_plan_id -> Nullable<Uuid>,
        planned_date -> Nullable<Date>,
        planned_index -> Nullable<SmallInt>,
        kind -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        duration_min -> Double,
        distance_km -> Nullable<Double>,
        avg_hr -> Nullable<SmallInt>,
        elevation_gain_m -> Nullable<Double>,
        rpe -> Nullable<SmallInt>,
        notes -> Nullable<Text>,
        sets -> Jsonb,
        body_sha256 -> Text,
        version -> BigInt,
        created_by_account_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        max_hr -> Nullable<SmallInt>,
        laps -> Nullable<Jsonb>,
        source_format -> Nullable<Text>,
        source_sha256 -> Nullable<Text>,
        trimp -> Nullable<Double>,
    }
}

diesel::table! {
    idempotency_keys (account_id, key) {
        account_id -> Uuid,
        key -> Text,
        request_sha256 -> Text,
        response_status -> Nullable<SmallInt>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        response_headers -> Jsonb,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        account_id -> Uuid,
        url -> Text,
        events -> Array<Text>,
        secret_sealed -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (webhook_id, id) {
        webhook_id -> Uuid,
        id -> Uuid,
        athlete_id -> Uuid,
        event_type -> Text,
        body -> Text,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        lease_owner -> Nullable<Uuid>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_attempts (webhook_id, delivery_id, attempt) {
        webhook_id -> Uuid,
        delivery_id -> Uuid,
        attempt -> Int4,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int2>,
        error -> Nullable<Text>,
        next_retry_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    calendar_feeds (athlete_id, id) {
        athlete_id -> Uuid,
        id -> Uuid,
        token_sha256 -> Bytea,
        name -> Nullable<Text>,
        created_by_account_id -> Uuid,
        created_at -> Timestamptz,
        last_fetched_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(tokens -> accounts (account_id));
diesel::joinable!(sessions -> athletes (athlete_id));
diesel::joinable!(plans -> athletes (athlete_id));
diesel::joinable!(athletes -> accounts (owner_account_id));
diesel::joinable!(grants -> athletes (athlete_id));
diesel::joinable!(exercises -> accounts (owner_account_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    tokens,
    athletes,
    grants,
    exercises,
    login_throttle,
    address_throttle,
    plans,
    sessions,
    idempotency_keys,
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    calendar_feeds
);
