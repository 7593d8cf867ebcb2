//! Mapping of our exercises to the free-exercise-db JSON format (the open
//! catalog at github.com/yuhonas/free-exercise-db), so apps built on that
//! format can read ours. The mapping is lossy in the direction of their
//! coarser vocabulary; the choices are documented next to each function.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::catalog::{Exercise, ExerciseDefinition, Prescription, is_valid_slug};
use super::validation::{Errors, FieldError};
use super::vocabulary::{Benefit, Category, Equipment, Impact, MovementPattern, Muscle};

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
    /// Our addition to their format (apps that do not know it ignore it):
    /// the equipment values of the other kits the exercise can be done
    /// with, in their names (`kettlebells` for a goblet squat whose
    /// `equipment` is `dumbbell`). Absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equipment_alternatives: Vec<String>,
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
            equipment_alternatives: alternatives_of(definition),
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

/// Their names for the alternative kits, each named once and never the
/// same as the main kit's name.
fn alternatives_of(definition: &ExerciseDefinition) -> Vec<String> {
    let main = equipment_of(&definition.equipment);
    let mut names: Vec<String> = Vec::new();
    for kit in &definition.equipment_alternatives {
        let name = equipment_of(kit);
        if name != main && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
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

/// Turns a free-exercise-db exercise into one of ours. Their format lacks
/// much of ours, so the rest is derived and documented here: the movement
/// pattern from force and muscles, impact from the category, a default
/// prescription by category, and no injury advice. What cannot be mapped
/// (equipment such as `machine`, an exercise with no muscle we know) is
/// an error with a pointer relative to the item.
pub fn to_definition(item: &FreeExerciseDbExercise) -> Result<ExerciseDefinition, Vec<FieldError>> {
    let mut errors = Errors::default();
    let primary = muscles_from(&item.primary_muscles);
    let secondary: Vec<Muscle> = muscles_from(&item.secondary_muscles)
        .into_iter()
        .filter(|m| !primary.contains(m))
        .collect();
    errors.check(
        !primary.is_empty(),
        "/primaryMuscles",
        "no primary muscle runstrong knows (forearms and neck have no equivalent)",
    );
    let equipment = match equipment_from(item.equipment.as_deref()) {
        Some(equipment) => equipment,
        None => {
            errors.add(
                "/equipment",
                format!(
                    "`{}` has no runstrong equivalent",
                    item.equipment.as_deref().unwrap_or("")
                ),
            );
            Equipment::None
        }
    };
    let mut equipment_alternatives = Vec::new();
    for (index, name) in item.equipment_alternatives.iter().enumerate() {
        match equipment_from(Some(name)) {
            Some(kit) if kit != equipment && !equipment_alternatives.contains(&vec![kit]) => {
                equipment_alternatives.push(vec![kit])
            }
            Some(_) => {}
            None => errors.add(
                format!("/equipmentAlternatives/{index}"),
                format!("`{name}` has no runstrong equivalent"),
            ),
        }
    }
    errors.check(
        equipment_alternatives.len() <= super::catalog::MAX_EQUIPMENT_ALTERNATIVES,
        "/equipmentAlternatives",
        "too many alternatives",
    );
    let category_name = item.category.as_str();
    let known_category = [
        "strength",
        "stretching",
        "plyometrics",
        "cardio",
        "powerlifting",
        "strongman",
        "olympic weightlifting",
    ];
    errors.check(
        known_category.contains(&category_name),
        "/category",
        "not a free-exercise-db category",
    );
    let difficulty = match item.level.as_str() {
        "beginner" => 1,
        "intermediate" => 3,
        "expert" => 5,
        _ => {
            errors.add("/level", "must be beginner, intermediate or expert");
            1
        }
    };
    let slug = slugify(&item.name);
    errors.check(
        is_valid_slug(&slug),
        "/name",
        "needs letters or digits to make a slug from",
    );
    let instructions: Vec<String> = item
        .instructions
        .iter()
        .map(|step| step.trim().to_owned())
        .filter(|step| !step.is_empty())
        .collect();
    errors.check(
        !instructions.is_empty(),
        "/instructions",
        "at least one step is needed",
    );
    errors.into_result()?;

    let lower = primary.iter().any(|m| LOWER_BODY.contains(m));
    let upper = primary.iter().any(|m| UPPER_BODY.contains(m));
    let category = match category_name {
        "plyometrics" => Category::Plyometric,
        "stretching" => Category::Mobility,
        "cardio" => Category::WarmUp,
        _ if lower && upper => Category::FullBody,
        _ if lower => Category::LowerBody,
        _ if upper => Category::UpperBody,
        _ => Category::Core,
    };
    let movement_pattern = match (category, item.force.as_deref()) {
        (Category::Plyometric, _) => MovementPattern::Jump,
        (Category::Mobility | Category::WarmUp, _) => MovementPattern::Mobility,
        (_, Some("static")) => MovementPattern::AntiExtension,
        (_, Some("pull")) if lower => MovementPattern::Hinge,
        (_, Some("pull")) => MovementPattern::Pull,
        (_, Some("push")) if primary.contains(&Muscle::Calves) => MovementPattern::CalfRaise,
        (_, Some("push")) if lower => MovementPattern::Squat,
        (_, Some("push")) => MovementPattern::Push,
        _ if primary.contains(&Muscle::Obliques) || primary.contains(&Muscle::Abs) => {
            MovementPattern::Rotation
        }
        _ => MovementPattern::Mobility,
    };
    let stretch = category == Category::Mobility;
    Ok(ExerciseDefinition {
        summary: format!("{} (imported from free-exercise-db).", item.name.trim()),
        name: item.name.trim().to_owned(),
        slug,
        category,
        movement_pattern,
        primary_muscles: primary,
        secondary_muscles: secondary,
        equipment: vec![equipment],
        equipment_alternatives,
        unilateral: false,
        compound: item.mechanic.as_deref() == Some("compound"),
        impact: if category == Category::Plyometric {
            Impact::High
        } else {
            Impact::Low
        },
        difficulty,
        instructions,
        cues: Vec::new(),
        easier: Vec::new(),
        harder: Vec::new(),
        substitutes: Vec::new(),
        avoid_with: Vec::new(),
        helps_with: Vec::new(),
        benefits: vec![match category {
            Category::Plyometric => Benefit::Power,
            Category::Mobility | Category::WarmUp => Benefit::Form,
            _ => Benefit::InjuryPrevention,
        }],
        default_prescription: Prescription {
            sets: if stretch { 2 } else { 3 },
            reps: if stretch { None } else { Some(10) },
            hold_s: if stretch { Some(30) } else { None },
            tempo: None,
            rest_s: if stretch { 15 } else { 60 },
        },
    })
}

const LOWER_BODY: &[Muscle] = &[
    Muscle::Glutes,
    Muscle::Hamstrings,
    Muscle::Quadriceps,
    Muscle::Calves,
    Muscle::Adductors,
    Muscle::HipAbductors,
];
const UPPER_BODY: &[Muscle] = &[
    Muscle::UpperBack,
    Muscle::Lats,
    Muscle::Chest,
    Muscle::Shoulders,
    Muscle::Triceps,
    Muscle::Biceps,
];

/// Their muscle names to ours; names with no equivalent are dropped.
fn muscles_from(names: &[String]) -> Vec<Muscle> {
    let mut muscles = Vec::new();
    for name in names {
        let muscle = match name.as_str() {
            "abdominals" => Muscle::Abs,
            "abductors" => Muscle::HipAbductors,
            "adductors" => Muscle::Adductors,
            "biceps" => Muscle::Biceps,
            "calves" => Muscle::Calves,
            "chest" => Muscle::Chest,
            "glutes" => Muscle::Glutes,
            "hamstrings" => Muscle::Hamstrings,
            "lats" => Muscle::Lats,
            "lower back" => Muscle::LowerBack,
            "middle back" | "traps" => Muscle::UpperBack,
            "quadriceps" => Muscle::Quadriceps,
            "shoulders" => Muscle::Shoulders,
            "triceps" => Muscle::Triceps,
            _ => continue,
        };
        if !muscles.contains(&muscle) {
            muscles.push(muscle);
        }
    }
    muscles
}

fn equipment_from(name: Option<&str>) -> Option<Equipment> {
    Some(match name {
        None | Some("body only") => Equipment::None,
        Some("dumbbell") => Equipment::Dumbbell,
        Some("kettlebells") => Equipment::Kettlebell,
        Some("bands") => Equipment::ResistanceBand,
        Some("cable") => Equipment::CableMachine,
        Some("barbell") | Some("e-z curl bar") => Equipment::Barbell,
        Some("medicine ball") => Equipment::MedicineBall,
        Some("exercise ball") => Equipment::StabilityBall,
        Some("foam roll") => Equipment::Mat,
        _ => return None,
    })
}

/// `Barbell Squat (Wide)` → `barbell-squat-wide`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug.truncate(80);
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod import_tests {
    use super::*;

    fn item(
        equipment: Option<&str>,
        primary: &[&str],
        category: &str,
        force: Option<&str>,
    ) -> FreeExerciseDbExercise {
        FreeExerciseDbExercise {
            id: "x".into(),
            name: "Barbell Squat (Wide Stance)".into(),
            force: force.map(Into::into),
            level: "intermediate".into(),
            mechanic: Some("compound".into()),
            equipment: equipment.map(Into::into),
            equipment_alternatives: vec![],
            primary_muscles: primary.iter().map(|m| m.to_string()).collect(),
            secondary_muscles: vec!["glutes".into(), "quadriceps".into()],
            instructions: vec!["Stand.".into(), "Squat.".into()],
            category: category.into(),
            images: vec![],
        }
    }

    #[test]
    fn a_squat_maps_to_a_valid_lower_body_exercise() {
        let definition = to_definition(&item(
            Some("barbell"),
            &["quadriceps"],
            "strength",
            Some("push"),
        ))
        .unwrap();
        assert_eq!(definition.slug, "barbell-squat-wide-stance");
        assert_eq!(definition.category, Category::LowerBody);
        assert_eq!(definition.movement_pattern, MovementPattern::Squat);
        assert_eq!(definition.equipment, [Equipment::Barbell]);
        assert_eq!(definition.secondary_muscles, [Muscle::Glutes]);
        assert_eq!(definition.difficulty, 3);
        definition.validate().unwrap();
    }

    #[test]
    fn unmappable_items_are_refused_with_pointers() {
        let errors =
            to_definition(&item(Some("machine"), &["forearms"], "strength", None)).unwrap_err();
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/primaryMuscles", "/equipment"]);
    }

    #[test]
    fn our_export_maps_back_to_valid_definitions() {
        let seed = crate::seed::definitions().unwrap();
        for definition in seed {
            let exercise = Exercise {
                id: uuid::Uuid::nil(),
                owner_account_id: None,
                definition,
            };
            let exported = FreeExerciseDbExercise::from(&exercise);
            if exported.equipment.as_deref() == Some("other") {
                // Their `other` (our box, bench, step, bar) cannot be told
                // apart on the way back, so it is refused, not guessed.
                let errors = to_definition(&exported).unwrap_err();
                assert_eq!(errors[0].pointer, "/equipment");
                continue;
            }
            let back =
                to_definition(&exported).unwrap_or_else(|e| panic!("{}: {e:?}", exported.id));
            back.validate()
                .unwrap_or_else(|e| panic!("{}: {e:?}", exported.id));
            assert_eq!(back.name, exercise.definition.name);
        }
    }

    #[test]
    fn alternative_kits_travel_in_an_extension_field_and_come_back() {
        let seed = crate::seed::definitions().unwrap();
        let goblet = seed.iter().find(|d| d.slug == "goblet-squat").unwrap();
        let exported = FreeExerciseDbExercise::from(&Exercise {
            id: uuid::Uuid::nil(),
            owner_account_id: None,
            definition: goblet.clone(),
        });
        assert_eq!(exported.equipment.as_deref(), Some("dumbbell"));
        assert_eq!(exported.equipment_alternatives, ["kettlebells"]);
        let json = serde_json::to_value(&exported).unwrap();
        assert_eq!(
            json["equipmentAlternatives"],
            serde_json::json!(["kettlebells"])
        );
        let back = to_definition(&exported).unwrap();
        assert_eq!(back.equipment, [Equipment::Dumbbell]);
        assert_eq!(back.equipment_alternatives, [vec![Equipment::Kettlebell]]);
        // A plank's mat and its floor alternative are both `body only`:
        // nothing to add.
        let plank = seed.iter().find(|d| d.slug == "forearm-plank").unwrap();
        assert_eq!(alternatives_of(plank), Vec::<String>::new());
        // Their own files have no such field, and still import.
        let mut theirs = json;
        theirs
            .as_object_mut()
            .unwrap()
            .remove("equipmentAlternatives");
        let theirs: FreeExerciseDbExercise = serde_json::from_value(theirs).unwrap();
        assert!(
            to_definition(&theirs)
                .unwrap()
                .equipment_alternatives
                .is_empty()
        );
        let mut unknown = exported.clone();
        unknown.equipment_alternatives = vec!["machine".into()];
        let errors = to_definition(&unknown).unwrap_err();
        assert_eq!(errors[0].pointer, "/equipmentAlternatives/0");
    }

    #[test]
    fn slugs_are_made_from_names() {
        assert_eq!(slugify("  Single-Leg  Deadlift! "), "single-leg-deadlift");
        assert_eq!(slugify("90/90 Hip Switch"), "90-90-hip-switch");
        assert_eq!(slugify("!!!"), "");
    }
}
