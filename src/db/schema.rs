// Written by hand to match migrations/. Generated columns (`impact_rank`,
// `search_vector`) are read-only; `search_vector` is used only in raw SQL.

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
    }
}

diesel::table! {
    catalog_seed_state (singleton) {
        singleton -> Bool,
        seed_sha256 -> Text,
        applied_at -> Timestamptz,
    }
}
