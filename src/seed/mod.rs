//! The catalog shipped with runstrong (`exercises.json`), checked and
//! written to the database at start-up.

use std::collections::{HashMap, HashSet};

use diesel::{
    ExpressionMethods, OptionalExtension, PgConnection, QueryDsl, RunQueryDsl,
    query_dsl::methods::FilterDsl,
    upsert::{DecoratableTarget, excluded},
};
use sha2::{Digest, Sha256};

use crate::db::schema::{catalog_seed_state, exercises};
use crate::domain::catalog::ExerciseDefinition;
use crate::domain::validation::{self, FieldError};
use crate::repo::exercises::new_row;

#[cfg(test)]
mod audit;

const SEED_JSON: &str = include_str!("exercises.json");

/// The seed's exercises, parsed and checked: every field valid, every link
/// and substitute naming an exercise of the seed, every easier/harder link
/// mirrored by the linked exercise.
pub fn definitions() -> Result<Vec<ExerciseDefinition>, Vec<FieldError>> {
    let definitions: Vec<ExerciseDefinition> =
        serde_json::from_str(SEED_JSON).map_err(|error| {
            vec![FieldError::new(
                "",
                format!("seed is not valid JSON: {error}"),
            )]
        })?;
    let mut errors = Vec::new();
    for (index, definition) in definitions.iter().enumerate() {
        if let Err(field_errors) = definition.validate() {
            errors.extend(
                field_errors
                    .into_iter()
                    .map(|e| FieldError::new(format!("/{index}{}", e.pointer), e.detail)),
            );
        }
    }
    errors.extend(check_references(&definitions));
    if errors.is_empty() {
        Ok(definitions)
    } else {
        Err(errors)
    }
}

/// Cross-exercise checks a single definition cannot make on its own.
pub fn check_references(definitions: &[ExerciseDefinition]) -> Vec<FieldError> {
    let by_slug: HashMap<&str, &ExerciseDefinition> =
        definitions.iter().map(|d| (d.slug.as_str(), d)).collect();
    let mut errors = Vec::new();
    if by_slug.len() != definitions.len() {
        errors.push(FieldError::new("", "slugs must be unique"));
    }
    for (index, definition) in definitions.iter().enumerate() {
        let mut check = |ok: bool, field: &str, detail: String| {
            if !ok {
                errors.push(FieldError::new(format!("/{index}/{field}"), detail));
            }
        };
        for substitute in &definition.substitutes {
            check(
                by_slug.contains_key(substitute.as_str()),
                "substitutes",
                format!("no exercise `{substitute}`"),
            );
        }
        if let Some(easier) = definition.easier_link() {
            let mirrored =
                by_slug.get(easier).and_then(|e| e.harder_link()) == Some(definition.slug.as_str());
            check(
                mirrored,
                "easier",
                format!("`{easier}` must exist and link back as harder"),
            );
        }
        if let Some(harder) = definition.harder_link() {
            let mirrored =
                by_slug.get(harder).and_then(|h| h.easier_link()) == Some(definition.slug.as_str());
            check(
                mirrored,
                "harder",
                format!("`{harder}` must exist and link back as easier"),
            );
        }
    }
    errors
}

/// The seed as catalog exercises with fixed ids (1, 2, …), for the plan
/// engine's tests and benchmarks, which run without a database.
pub fn exercises_with_fixed_ids() -> Vec<crate::domain::catalog::Exercise> {
    definitions()
        .expect("the shipped seed is valid")
        .into_iter()
        .enumerate()
        .map(|(index, definition)| crate::domain::catalog::Exercise {
            id: uuid::Uuid::from_u128(index as u128 + 1),
            owner_account_id: None,
            definition,
        })
        .collect()
}

fn seed_hash() -> String {
    hex::encode(Sha256::digest(SEED_JSON.as_bytes()))
}

/// Writes the seed unless this exact seed was applied before. Seeded rows
/// are refreshed from a newer seed; rows an admin or an import changed
/// (origin other than `seed`) are left as they are. Idempotent.
pub fn apply(connection: &mut PgConnection) -> Result<(), String> {
    let hash = seed_hash();
    let applied: Option<String> = catalog_seed_state::table
        .select(catalog_seed_state::seed_sha256)
        .first(connection)
        .optional()
        .map_err(|e| e.to_string())?;
    if applied.as_deref() == Some(hash.as_str()) {
        return Ok(());
    }
    let definitions = definitions().map_err(|errors| validation::one_line(&errors))?;
    connection
        .build_transaction()
        .run(|connection| {
            let seen: HashSet<&str> = definitions.iter().map(|d| d.slug.as_str()).collect();
            let rows: Vec<_> = definitions
                .iter()
                .map(|definition| new_row(uuid::Uuid::now_v7(), definition, "seed"))
                .collect();
            let upsert = diesel::insert_into(exercises::table)
                .values(&rows)
                // The global catalog's slugs; coaches' are their own.
                .on_conflict(exercises::slug)
                .filter_target(exercises::owner_account_id.is_null())
                .do_update()
                .set((
                    exercises::name.eq(excluded(exercises::name)),
                    exercises::summary.eq(excluded(exercises::summary)),
                    exercises::category.eq(excluded(exercises::category)),
                    exercises::movement_pattern.eq(excluded(exercises::movement_pattern)),
                    exercises::primary_muscles.eq(excluded(exercises::primary_muscles)),
                    exercises::secondary_muscles.eq(excluded(exercises::secondary_muscles)),
                    exercises::equipment.eq(excluded(exercises::equipment)),
                    exercises::equipment_alternatives
                        .eq(excluded(exercises::equipment_alternatives)),
                    exercises::unilateral.eq(excluded(exercises::unilateral)),
                    exercises::compound.eq(excluded(exercises::compound)),
                    exercises::impact.eq(excluded(exercises::impact)),
                    exercises::difficulty.eq(excluded(exercises::difficulty)),
                    exercises::instructions.eq(excluded(exercises::instructions)),
                    exercises::cues.eq(excluded(exercises::cues)),
                    exercises::easier.eq(excluded(exercises::easier)),
                    exercises::harder.eq(excluded(exercises::harder)),
                    exercises::substitutes.eq(excluded(exercises::substitutes)),
                    exercises::avoid_with.eq(excluded(exercises::avoid_with)),
                    exercises::helps_with.eq(excluded(exercises::helps_with)),
                    exercises::benefits.eq(excluded(exercises::benefits)),
                    exercises::default_prescription.eq(excluded(exercises::default_prescription)),
                    exercises::updated_at.eq(diesel::dsl::now),
                ));
            // Only rows the seed itself wrote are refreshed.
            FilterDsl::filter(upsert, exercises::origin.eq("seed")).execute(connection)?;
            diesel::insert_into(catalog_seed_state::table)
                .values((
                    catalog_seed_state::singleton.eq(true),
                    catalog_seed_state::seed_sha256.eq(&hash),
                ))
                .on_conflict(catalog_seed_state::singleton)
                .do_update()
                .set((
                    catalog_seed_state::seed_sha256.eq(&hash),
                    catalog_seed_state::applied_at.eq(diesel::dsl::now),
                ))
                .execute(connection)?;
            tracing::info!(exercises = seen.len(), "catalog seed applied");
            Ok::<_, diesel::result::Error>(())
        })
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Variation;
    use crate::domain::vocabulary::*;

    fn seed() -> Vec<ExerciseDefinition> {
        definitions().unwrap_or_else(|errors| panic!("seed invalid: {errors:#?}"))
    }

    #[test]
    fn seed_is_valid_and_large_enough() {
        assert!(seed().len() >= 60);
    }

    #[test]
    fn seed_has_every_exercise_of_the_article_with_easier_and_harder_versions() {
        let seed = seed();
        for slug in [
            "glute-bridge",
            "russian-twist",
            "single-leg-deadlift",
            "reverse-lunge",
            "walking-lunge",
            "single-arm-standing-cable-chest-press",
            "pallof-press",
            "lateral-box-push-up",
            "elevated-split-squat",
            "bicycle-crunch",
        ] {
            let exercise = seed
                .iter()
                .find(|e| e.slug == slug)
                .unwrap_or_else(|| panic!("{slug} missing"));
            assert!(
                !exercise.easier.is_empty() && !exercise.harder.is_empty(),
                "{slug}"
            );
            let linked = exercise
                .easier
                .iter()
                .chain(&exercise.harder)
                .any(|v| matches!(v, Variation::Exercise { .. }));
            assert!(linked, "{slug} links no other exercise");
        }
    }

    #[test]
    fn every_vocabulary_value_has_real_choices() {
        let seed = seed();
        for category in Category::ALL {
            let count = seed.iter().filter(|e| e.category == *category).count();
            assert!(count >= 3, "{category}: {count}");
        }
        for muscle in Muscle::ALL {
            let count = seed
                .iter()
                .filter(|e| e.primary_muscles.contains(muscle))
                .count();
            assert!(count >= 2, "{muscle}: {count}");
        }
        for item in Equipment::ALL {
            let count = seed.iter().filter(|e| e.equipment.contains(item)).count();
            assert!(count >= 2, "{item}: {count}");
        }
        for pattern in MovementPattern::ALL {
            assert!(
                seed.iter().any(|e| e.movement_pattern == *pattern),
                "{pattern}"
            );
        }
        for area in InjuryArea::ALL {
            assert!(
                seed.iter().any(|e| e.avoid_with.contains(area)),
                "avoid {area}"
            );
            assert!(
                seed.iter().any(|e| e.helps_with.contains(area)),
                "helps {area}"
            );
        }
        for benefit in Benefit::ALL {
            assert!(
                seed.iter().any(|e| e.benefits.contains(benefit)),
                "{benefit}"
            );
        }
        for impact in Impact::ALL {
            assert!(seed.iter().any(|e| e.impact == *impact), "{impact}");
        }
    }

    #[test]
    fn reference_check_catches_a_one_way_link() {
        let mut seed = seed();
        let index = seed.iter().position(|e| e.harder_link().is_some()).unwrap();
        seed[index].harder = vec![Variation::Exercise {
            exercise_slug: "no-such-exercise".to_owned(),
        }];
        assert!(!check_references(&seed).is_empty());
    }
}
