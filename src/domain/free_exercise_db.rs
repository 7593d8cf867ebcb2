//! Mapping of our exercises to the free-exercise-db JSON format (the open
//! catalog at github.com/yuhonas/free-exercise-db), so apps built on that
//! format can read ours. The mapping is lossy in the direction of their
//! coarser vocabulary; the choices are documented next to each function.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::Exercise;
use super::vocabulary::{Category, Equipment, MovementPattern, Muscle};

/// One exercise in free-exercise-db's shape (camelCase, as that format is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FreeExerciseDbExercise {
    /// Our slug, which is unique like their ids.
    pub id: String,
    pub name: String,
    /// `push`, `pull`, `static`, or null where neither fits (rotation).
    pub force: Option<String>,
    /// `beginner`, `intermediate` or `expert`.
    pub level: String,
    /// `compound` or `isolation`.
    pub mechanic: Option<String>,
    /// Their single equipment value; `body only` for body weight.
    pub equipment: Option<String>,
    pub primary_muscles: Vec<String>,
    pub secondary_muscles: Vec<String>,
    pub instructions: Vec<String>,
    /// `strength`, `stretching`, `plyometrics` or `cardio`.
    pub category: String,
    /// Image paths; we ship none.
    pub images: Vec<String>,
}

impl From<&Exercise> for FreeExerciseDbExercise {
    fn from(exercise: &Exercise) -> Self {
        let definition = &exercise.definition;
        let primary = muscle_names(&definition.primary_muscles, &[]);
        let secondary = muscle_names(&definition.secondary_muscles, &primary);
        FreeExerciseDbExercise {
            id: definition.slug.clone(),
            name: definition.name.clone(),
            force: force_of(definition.movement_pattern).map(str::to_owned),
            level: level_of(definition.difficulty).to_owned(),
            mechanic: Some(
                if definition.compound {
                    "compound"
                } else {
                    "isolation"
                }
                .to_owned(),
            ),
            equipment: Some(equipment_of(&definition.equipment).to_owned()),
            primary_muscles: primary,
            secondary_muscles: secondary,
            instructions: definition.instructions.clone(),
            category: category_of(definition.category, definition.movement_pattern).to_owned(),
            images: Vec::new(),
        }
    }
}

/// Difficulty 1–2 is their `beginner`, 3 `intermediate`, 4–5 `expert`.
pub fn level_of(difficulty: u8) -> &'static str {
    match difficulty {
        0..=2 => "beginner",
        3 => "intermediate",
        _ => "expert",
    }
}

fn force_of(pattern: MovementPattern) -> Option<&'static str> {
    use MovementPattern::*;
    match pattern {
        Squat | Lunge | Push | CalfRaise | Jump | Bridge => Some("push"),
        Hinge | Pull => Some("pull"),
        AntiRotation | AntiExtension | Carry | Mobility => Some("static"),
        Rotation => None,
    }
}

/// Their format names one piece of equipment; we name the one that defines
/// the exercise most (a barbell over the bench it is used on).
fn equipment_of(equipment: &[Equipment]) -> &'static str {
    use Equipment::*;
    const PRECEDENCE: &[(Equipment, &str)] = &[
        (Barbell, "barbell"),
        (CableMachine, "cable"),
        (Kettlebell, "kettlebells"),
        (Dumbbell, "dumbbell"),
        (MedicineBall, "medicine ball"),
        (StabilityBall, "exercise ball"),
        (ResistanceBand, "bands"),
        (PullUpBar, "other"),
        (Box, "other"),
        (Bench, "other"),
        (Step, "other"),
    ];
    PRECEDENCE
        .iter()
        .find(|(item, _)| equipment.contains(item))
        .map_or("body only", |(_, name)| name)
}

/// Their muscle list has no hip flexors or feet: hip flexors map to
/// quadriceps (the rectus femoris flexes the hip), feet and ankles to calves.
pub fn muscle_name(muscle: Muscle) -> &'static str {
    use Muscle::*;
    match muscle {
        Glutes => "glutes",
        Hamstrings => "hamstrings",
        Quadriceps | HipFlexors => "quadriceps",
        Calves | FeetAnkles => "calves",
        Adductors => "adductors",
        HipAbductors => "abductors",
        Abs | Obliques => "abdominals",
        LowerBack => "lower back",
        UpperBack => "middle back",
        Lats => "lats",
        Chest => "chest",
        Shoulders => "shoulders",
        Triceps => "triceps",
        Biceps => "biceps",
    }
}

fn muscle_names(muscles: &[Muscle], already_listed: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in muscles.iter().map(|m| muscle_name(*m)) {
        if !names.iter().any(|n| n == name) && !already_listed.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Warm-up drills that move the body through space count as their
/// `cardio`; stretches and mobility work as `stretching`.
fn category_of(category: Category, pattern: MovementPattern) -> &'static str {
    match category {
        Category::Plyometric => "plyometrics",
        Category::Mobility | Category::CoolDown => "stretching",
        Category::WarmUp if pattern == MovementPattern::Mobility => "stretching",
        Category::WarmUp => "cardio",
        Category::Core | Category::LowerBody | Category::UpperBody | Category::FullBody => {
            "strength"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_split_difficulty_in_three() {
        assert_eq!(level_of(1), "beginner");
        assert_eq!(level_of(3), "intermediate");
        assert_eq!(level_of(5), "expert");
    }

    #[test]
    fn equipment_names_the_defining_piece() {
        assert_eq!(
            equipment_of(&[Equipment::Bench, Equipment::Barbell]),
            "barbell"
        );
        assert_eq!(equipment_of(&[Equipment::None]), "body only");
        assert_eq!(equipment_of(&[Equipment::Mat]), "body only");
        assert_eq!(equipment_of(&[Equipment::ResistanceBand]), "bands");
    }

    #[test]
    fn merged_muscles_are_listed_once_and_not_repeated_as_secondary() {
        let primary = muscle_names(&[Muscle::Abs, Muscle::Obliques], &[]);
        assert_eq!(primary, ["abdominals"]);
        let secondary = muscle_names(&[Muscle::Obliques, Muscle::HipFlexors], &primary);
        assert_eq!(secondary, ["quadriceps"]);
    }
}
