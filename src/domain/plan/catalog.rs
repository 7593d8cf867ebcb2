//! What the plan engine knows of the exercise catalog: the exercises it may
//! choose from and the facts the rules need (category, muscles, equipment,
//! injuries), looked up by slug or id.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use uuid::Uuid;

use crate::domain::catalog::Exercise;
use crate::domain::vocabulary::{
    Benefit, Category, Equipment, Impact, InjuryArea, MovementPattern, Muscle,
};

/// Muscles whose hard loading makes a strength session "lower-body".
pub const LEG_MUSCLES: &[Muscle] = &[
    Muscle::Glutes,
    Muscle::Hamstrings,
    Muscle::Quadriceps,
    Muscle::Calves,
    Muscle::Adductors,
    Muscle::HipAbductors,
];

pub const CORE_MUSCLES: &[Muscle] = &[Muscle::Abs, Muscle::Obliques, Muscle::LowerBack];

/// A multiply-rotate hash over 8-byte words (the scheme of rustc's
/// FxHash): the engine looks exercises up thousands of times a plan, by
/// keys that come from the catalog (ids and slugs of at most a few
/// thousand exercises), where SipHash's flood resistance buys nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
    }
}

/// A map keyed by catalog ids or slugs.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// The catalog, indexed.
#[derive(Debug, Clone, Default)]
pub struct PlanCatalog {
    exercises: Vec<Exercise>,
    by_slug: FastMap<String, usize>,
    by_id: FastMap<Uuid, usize>,
}

impl PlanCatalog {
    pub fn new(mut exercises: Vec<Exercise>) -> Self {
        // Slug order makes every choice among equals deterministic.
        exercises.sort_by(|a, b| a.definition.slug.cmp(&b.definition.slug));
        let by_slug = exercises
            .iter()
            .enumerate()
            .map(|(index, e)| (e.definition.slug.clone(), index))
            .collect();
        let by_id = exercises
            .iter()
            .enumerate()
            .map(|(index, e)| (e.id, index))
            .collect();
        PlanCatalog {
            exercises,
            by_slug,
            by_id,
        }
    }

    pub fn exercises(&self) -> &[Exercise] {
        &self.exercises
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Exercise> {
        self.by_slug.get(slug).map(|index| &self.exercises[*index])
    }

    /// By id when given (hand-written plans may give only the slug).
    pub fn lookup(&self, id: Option<Uuid>, slug: &str) -> Option<&Exercise> {
        id.and_then(|id| self.by_id.get(&id))
            .map(|index| &self.exercises[*index])
            .or_else(|| self.by_slug(slug))
    }
}

/// Works the legs as its main job: a lower-body or plyometric exercise, or
/// one whose primary muscles include a leg muscle.
pub fn is_leg_exercise(exercise: &Exercise) -> bool {
    let d = &exercise.definition;
    matches!(d.category, Category::LowerBody | Category::Plyometric)
        || d.primary_muscles.iter().any(|m| LEG_MUSCLES.contains(m))
}

/// Single-leg lower-body work.
pub fn is_single_leg(exercise: &Exercise) -> bool {
    exercise.definition.unilateral && is_leg_exercise(exercise)
}

/// Core stability or trunk work.
pub fn is_core(exercise: &Exercise) -> bool {
    let d = &exercise.definition;
    d.category == Category::Core
        || (d.primary_muscles.iter().any(|m| CORE_MUSCLES.contains(m))
            && matches!(
                d.movement_pattern,
                MovementPattern::AntiRotation
                    | MovementPattern::AntiExtension
                    | MovementPattern::Rotation
            ))
}

pub fn is_plyometric(exercise: &Exercise) -> bool {
    exercise.definition.category == Category::Plyometric
        || exercise.definition.movement_pattern == MovementPattern::Jump
}

/// Injury areas that landings load: with any of them, no jumping or
/// high-impact work (SPEC "Strength a coach would sign").
pub const LANDING_AREAS: &[InjuryArea] = &[
    InjuryArea::Knee,
    InjuryArea::Ankle,
    InjuryArea::Achilles,
    InjuryArea::Shin,
    InjuryArea::PlantarFascia,
];

/// Jumping or high-impact work: a jump pattern or high ground impact.
pub fn is_jumping(exercise: &Exercise) -> bool {
    exercise.definition.movement_pattern == MovementPattern::Jump
        || exercise.definition.impact == Impact::High
}

/// The athlete's injuries that rule out jumping, if any.
pub fn landing_injuries(injuries: &[InjuryArea]) -> Vec<InjuryArea> {
    injuries
        .iter()
        .copied()
        .filter(|area| LANDING_AREAS.contains(area))
        .collect()
}

/// Explosive work that does not jump: throws, slams and swings, fast
/// hip or trunk power with the feet on the ground.
pub fn is_explosive(exercise: &Exercise) -> bool {
    let d = &exercise.definition;
    !is_jumping(exercise)
        && (d.category == Category::Plyometric
            || (d.category == Category::FullBody
                && d.benefits.contains(&Benefit::Power)
                && matches!(
                    d.movement_pattern,
                    MovementPattern::Hinge | MovementPattern::Rotation
                )))
}

/// Free weights that load a lift.
pub const LOAD_EQUIPMENT: &[Equipment] = &[
    Equipment::Dumbbell,
    Equipment::Kettlebell,
    Equipment::Barbell,
];

/// Whether the athlete's `has` includes free weights.
pub fn has_load_equipment(has: &[Equipment]) -> bool {
    has.iter().any(|item| LOAD_EQUIPMENT.contains(item))
}

/// Whether the kit the athlete would use for the exercise holds free weights.
pub fn is_loaded_with(exercise: &Exercise, has: &[Equipment]) -> bool {
    exercise
        .definition
        .kit_for(has)
        .is_some_and(|kit| kit.iter().any(|item| LOAD_EQUIPMENT.contains(item)))
}

/// Whether the kit the athlete would use for the exercise adds resistance
/// beyond body weight: free weights, a band, a cable or a medicine ball.
pub fn is_resisted_with(exercise: &Exercise, has: &[Equipment]) -> bool {
    exercise.definition.kit_for(has).is_some_and(|kit| {
        kit.iter().any(|item| {
            LOAD_EQUIPMENT.contains(item)
                || matches!(
                    item,
                    Equipment::ResistanceBand | Equipment::CableMachine | Equipment::MedicineBall
                )
        })
    })
}

/// The squat, hinge and lunge patterns, which carry a runner's legs.
pub fn is_leg_pattern(exercise: &Exercise) -> bool {
    matches!(
        exercise.definition.movement_pattern,
        MovementPattern::Squat
            | MovementPattern::Hinge
            | MovementPattern::Lunge
            | MovementPattern::Bridge
    ) && is_leg_exercise(exercise)
        && !is_jumping(exercise)
}
