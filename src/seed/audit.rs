//! The catalog audit: facts about the shipped catalog that the plan engine
//! relies on, checked on every build so that they stay true.

use std::collections::HashMap;

use crate::domain::catalog::{Exercise, ExerciseDefinition};
use crate::domain::plan::catalog::{LANDING_AREAS, is_jumping, is_loaded_with};
use crate::domain::plan::generate::strength::dose::DoseClass;
use crate::domain::vocabulary::{Category, Equipment, InjuryArea, MovementPattern, Muscle};

fn catalog() -> Vec<Exercise> {
    super::exercises_with_fixed_ids()
}

/// Movements that move two or more major joints.
const MULTI_JOINT: &[MovementPattern] = &[
    MovementPattern::Squat,
    MovementPattern::Hinge,
    MovementPattern::Lunge,
    MovementPattern::Bridge,
    MovementPattern::Push,
    MovementPattern::Pull,
    MovementPattern::Carry,
    MovementPattern::Jump,
    MovementPattern::Rotation,
];

/// Muscles that each move one joint: work for these alone is isolation.
const SINGLE_JOINT_MOVERS: &[Muscle] = &[
    Muscle::Calves,
    Muscle::FeetAnkles,
    Muscle::Biceps,
    Muscle::HipAbductors,
    Muscle::Adductors,
];

#[test]
fn compound_means_a_multi_joint_lift() {
    let catalog = catalog();
    let mut compound = 0;
    for e in &catalog {
        let d = &e.definition;
        if !d.compound {
            continue;
        }
        compound += 1;
        assert!(
            matches!(
                d.category,
                Category::LowerBody
                    | Category::UpperBody
                    | Category::FullBody
                    | Category::Plyometric
            ),
            "{}: {} work is not a lift",
            d.slug,
            d.category
        );
        assert!(
            MULTI_JOINT.contains(&d.movement_pattern),
            "{}: a {} is not multi-joint",
            d.slug,
            d.movement_pattern
        );
        assert!(
            !d.primary_muscles
                .iter()
                .all(|m| SINGLE_JOINT_MOVERS.contains(m)),
            "{}: isolation work for {:?}",
            d.slug,
            d.primary_muscles
        );
        assert!(
            d.default_prescription.reps.is_some() || d.movement_pattern == MovementPattern::Carry,
            "{}: a hold is not a lift",
            d.slug
        );
    }
    // Compound is a real distinction: well under all, well over none.
    assert!(
        compound * 3 > catalog.len() && compound * 3 < catalog.len() * 2,
        "{compound} of {}",
        catalog.len()
    );
    // The big lifts a runner's plan leans on are compound.
    for e in &catalog {
        let d = &e.definition;
        if d.category == Category::LowerBody
            && matches!(
                d.movement_pattern,
                MovementPattern::Squat | MovementPattern::Lunge
            )
            && d.default_prescription.reps.is_some()
        {
            assert!(d.compound, "{} should be compound", d.slug);
        }
    }
}

/// Areas whose stress comes from the movement itself; a weight added to
/// the same movement changes what the spine, shoulders and wrists carry.
const MOVEMENT_AREAS: &[InjuryArea] = &[
    InjuryArea::Hip,
    InjuryArea::Knee,
    InjuryArea::Ankle,
    InjuryArea::Achilles,
    InjuryArea::Shin,
    InjuryArea::PlantarFascia,
];

fn movement_tags(d: &ExerciseDefinition) -> Vec<InjuryArea> {
    let mut tags: Vec<InjuryArea> = d
        .avoid_with
        .iter()
        .copied()
        .filter(|a| MOVEMENT_AREAS.contains(a))
        .collect();
    tags.sort_by_key(|a| a.as_str());
    tags
}

/// Walks every easier → harder link of every chain.
#[test]
fn injury_tags_agree_along_every_easier_harder_chain() {
    let catalog = catalog();
    let by_slug: HashMap<&str, &ExerciseDefinition> = catalog
        .iter()
        .map(|e| (e.definition.slug.as_str(), &e.definition))
        .collect();
    let mut links = 0;
    for easier in by_slug.values() {
        let Some(harder) = easier.harder_link().map(|slug| by_slug[slug]) else {
            continue;
        };
        links += 1;
        let pair = format!("{} → {}", easier.slug, harder.slug);
        // A harder variant is never less careful than the easier one.
        for area in &easier.avoid_with {
            assert!(
                harder.avoid_with.contains(area),
                "{pair}: the harder one does not avoid the {area}"
            );
        }
        // Nothing helps an area that its easier variant is kept from.
        for area in &harder.helps_with {
            assert!(
                !easier.avoid_with.contains(area),
                "{pair}: helps the {area} the easier one avoids"
            );
        }
        // The same movement with a weight loads the legs the same way.
        let loaded_variant = easier.movement_pattern == harder.movement_pattern
            && easier.unilateral == harder.unilateral
            && easier.impact == harder.impact
            && easier.equipment != harder.equipment;
        if loaded_variant {
            assert_eq!(
                movement_tags(easier),
                movement_tags(harder),
                "{pair}: a weight changes the legs' injury tags"
            );
        }
    }
    assert!(links >= 30, "{links} links walked");
}

#[test]
fn every_jump_avoids_the_injuries_landings_load() {
    let catalog = catalog();
    let jumps: Vec<&Exercise> = catalog.iter().filter(|e| is_jumping(e)).collect();
    assert!(jumps.len() >= 10);
    for e in jumps {
        for area in LANDING_AREAS {
            assert!(
                e.definition.avoid_with.contains(area),
                "{} does not avoid the {area}",
                e.definition.slug
            );
        }
    }
}

/// The catalog's defaults are doses a plan would give: inside the ranges
/// the plan engine doses each class of work in.
#[test]
fn defaults_lie_within_the_plan_doses_of_their_class() {
    for e in catalog() {
        let class = DoseClass::of(&e);
        let dose = &e.definition.default_prescription;
        let slug = &e.definition.slug;
        assert!(
            class.sets().contains(&dose.sets),
            "{slug} ({class:?}): {} sets",
            dose.sets
        );
        if let Some(reps) = dose.reps {
            assert!(
                class.reps().contains(&reps),
                "{slug} ({class:?}): {reps} reps"
            );
        }
        if let Some(hold) = dose.hold_s {
            assert!(
                class.hold_s().contains(&hold),
                "{slug} ({class:?}): {hold} s"
            );
        }
    }
}

/// With any one kind of free weight the squat, hinge and lunge patterns
/// each have a loaded lift, named as SPEC names them.
#[test]
fn every_kind_of_free_weight_loads_the_squat_hinge_and_lunge() {
    let catalog = catalog();
    for kit in [
        vec![Equipment::Dumbbell],
        vec![Equipment::Kettlebell],
        vec![Equipment::Barbell],
    ] {
        for pattern in [
            MovementPattern::Squat,
            MovementPattern::Hinge,
            MovementPattern::Lunge,
        ] {
            let loaded: Vec<&str> = catalog
                .iter()
                .filter(|e| {
                    e.definition.movement_pattern == pattern
                        && e.definition.category == Category::LowerBody
                        && is_loaded_with(e, &kit)
                })
                .map(|e| e.definition.slug.as_str())
                .collect();
            assert!(!loaded.is_empty(), "{kit:?} loads no {pattern}");
        }
    }
    let doable = |slug: &str, kit: &[Equipment]| {
        catalog
            .iter()
            .find(|e| e.definition.slug == slug)
            .unwrap_or_else(|| panic!("{slug} missing"))
            .definition
            .doable_with(kit)
    };
    assert!(doable("goblet-squat", &[Equipment::Dumbbell]));
    assert!(doable("goblet-squat", &[Equipment::Kettlebell]));
    assert!(doable(
        "dumbbell-romanian-deadlift",
        &[Equipment::Kettlebell]
    ));
    assert!(doable("dumbbell-split-squat", &[Equipment::Dumbbell]));
    assert!(doable("barbell-back-squat", &[Equipment::Barbell]));
    assert!(doable(
        "barbell-hip-thrust",
        &[Equipment::Barbell, Equipment::Bench]
    ));
    assert!(doable("one-arm-dumbbell-row", &[Equipment::Dumbbell]));
    assert!(doable("forearm-plank", &[]));
}
