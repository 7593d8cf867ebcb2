//! The exercise model of SPEC "Exercise catalog": one shape for the seed,
//! the API, export and import, plus the pure logic around it (validation,
//! progression chains).

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;
use uuid::Uuid;

use super::validation::{Errors, FieldError};
use super::vocabulary::{
    Benefit, Category, Equipment, Impact, InjuryArea, MovementPattern, Muscle,
};

/// Slugs that would collide with fixed routes under `/v1/exercises/`.
pub const RESERVED_SLUGS: &[&str] = &["export", "import"];

/// A way to make an exercise easier or harder: another catalog exercise,
/// or a described change to this one (tempo, load, range of motion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Variation {
    /// Another exercise of the catalog, by slug.
    Exercise {
        #[schema(example = "single-leg-glute-bridge")]
        exercise_slug: String,
    },
    /// A change to this exercise.
    Modification {
        #[schema(example = "Take three seconds to lower")]
        description: String,
    },
}

/// The default dose of an exercise: sets of reps, or sets of holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prescription {
    #[schema(minimum = 1, maximum = 10, example = 3)]
    pub sets: u8,
    /// Repetitions per set (per side for unilateral work); absent for holds.
    #[schema(minimum = 1, maximum = 100, example = 12)]
    pub reps: Option<u8>,
    /// Seconds per hold; absent for repetitions.
    #[schema(minimum = 1, maximum = 600)]
    pub hold_s: Option<u16>,
    /// Eccentric-pause-concentric-pause seconds, e.g. `3-1-1-0`.
    #[schema(example = "2-1-1-0")]
    pub tempo: Option<String>,
    #[schema(maximum = 600, example = 60)]
    pub rest_s: u16,
}

/// Everything that defines an exercise except its id: what the seed file,
/// admin writes and imports provide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExerciseDefinition {
    // The limits below are those of `validate`, where JSON Schema can say
    // them (uniqueItems: see `openapi::schema_constraints::UNIQUE_ITEMS`); the rules between
    // fields (a muscle not both primary and secondary, `none` alone, ...)
    // it cannot.
    /// Lowercase words of letters and digits joined by single hyphens.
    #[schema(
        example = "glute-bridge",
        max_length = 80,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$"
    )]
    pub slug: String,
    #[schema(example = "Glute bridge", max_length = 100, pattern = "\\S")]
    pub name: String,
    #[schema(max_length = 500, pattern = "\\S")]
    pub summary: String,
    pub category: Category,
    pub movement_pattern: MovementPattern,
    #[schema(min_items = 1)]
    pub primary_muscles: Vec<Muscle>,
    pub secondary_muscles: Vec<Muscle>,
    /// Everything the exercise needs; `["none"]` for body weight only.
    #[schema(min_items = 1)]
    pub equipment: Vec<Equipment>,
    /// Other complete kits that do the same exercise, each on its own: a
    /// goblet squat with `[["kettlebell"]]` instead of a dumbbell, a plank
    /// on a mat with `[["none"]]` (the floor will do). The exercise is
    /// available when everything in `equipment`, or everything in any one
    /// of these, is at hand. Absent in older exports: none.
    #[serde(default)]
    #[schema(max_items = 8)]
    pub equipment_alternatives: Vec<Vec<Equipment>>,
    pub unilateral: bool,
    pub compound: bool,
    pub impact: Impact,
    #[schema(minimum = 1, maximum = 5)]
    pub difficulty: u8,
    /// Ordered steps.
    #[schema(min_items = 1, max_items = 20)]
    pub instructions: Vec<String>,
    #[schema(max_items = 20)]
    pub cues: Vec<String>,
    pub easier: Vec<Variation>,
    pub harder: Vec<Variation>,
    /// Slugs of exercises that can stand in for this one.
    pub substitutes: Vec<String>,
    /// Injury areas for which this exercise should not be chosen.
    pub avoid_with: Vec<InjuryArea>,
    /// Injury areas this exercise helps to protect or rehabilitate.
    pub helps_with: Vec<InjuryArea>,
    #[schema(min_items = 1)]
    pub benefits: Vec<Benefit>,
    pub default_prescription: Prescription,
}

/// A catalog exercise as the API serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exercise {
    pub id: Uuid,
    /// The coach whose private exercise this is; null for the global catalog.
    #[serde(default)]
    pub owner_account_id: Option<crate::ids::AccountId>,
    #[serde(flatten)]
    pub definition: ExerciseDefinition,
}

impl utoipa::PartialSchema for Exercise {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use super::schema::{flattened, nullable_uuid, uuid};
        flattened::<ExerciseDefinition>(
            "A catalog exercise as the API serves it: its definition, its id, and its coach for a private exercise.",
            vec![("id", uuid()), ("owner_account_id", nullable_uuid())],
        )
    }
}

impl ToSchema for Exercise {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <ExerciseDefinition as ToSchema>::schemas(schemas);
    }
}

/// The easier → harder chain an exercise belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProgressionStep {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub difficulty: u8,
}

/// What the progression walk needs to know of one exercise.
#[derive(Debug, Clone)]
pub struct ProgressionNode {
    pub step: ProgressionStep,
    pub easier: Option<String>,
    pub harder: Option<String>,
}

/// Most alternative kits an exercise may list.
pub const MAX_EQUIPMENT_ALTERNATIVES: usize = 8;

/// Longest chain followed; guards against cycles and runaway data.
pub const MAX_PROGRESSION_LENGTH: usize = 32;

impl ExerciseDefinition {
    /// The first linked easier exercise, which defines the chain.
    pub fn easier_link(&self) -> Option<&str> {
        first_link(&self.easier)
    }

    pub fn harder_link(&self) -> Option<&str> {
        first_link(&self.harder)
    }

    /// Every kit the exercise can be done with: `equipment` first, then
    /// the alternatives in the catalog's order.
    pub fn kits(&self) -> impl Iterator<Item = &[Equipment]> {
        std::iter::once(self.equipment.as_slice())
            .chain(self.equipment_alternatives.iter().map(Vec::as_slice))
    }

    /// The first kit complete with what the athlete `has` (body weight,
    /// `none`, is always at hand); `None` when no kit is.
    pub fn kit_for(&self, has: &[Equipment]) -> Option<&[Equipment]> {
        self.kits().find(|kit| kit_complete(kit, has))
    }

    /// Whether an athlete with `has` can do the exercise with one of its kits.
    pub fn doable_with(&self, has: &[Equipment]) -> bool {
        self.kit_for(has).is_some()
    }

    /// What is missing from the kit closest to complete (fewest items
    /// missing, the catalog's order among equals); empty when a kit is
    /// complete.
    pub fn missing_with(&self, has: &[Equipment]) -> Vec<Equipment> {
        if self.doable_with(has) {
            return Vec::new();
        }
        self.kits()
            .map(|kit| {
                kit.iter()
                    .copied()
                    .filter(|item| !kit_complete(&[*item], has))
                    .collect::<Vec<_>>()
            })
            .min_by_key(Vec::len)
            .unwrap_or_default()
    }

    /// Checks every field against the catalog's rules; pointers are
    /// relative to the exercise object (`/slug`, `/instructions/2`).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::default();
        errors.check(
            is_valid_slug(&self.slug),
            "/slug",
            "lowercase letters and digits in words joined by single hyphens, at most 80 characters",
        );
        errors.check(
            !RESERVED_SLUGS.contains(&self.slug.as_str()),
            "/slug",
            "this slug is reserved for a route",
        );
        check_text(&mut errors, "/name", &self.name, 100);
        check_text(&mut errors, "/summary", &self.summary, 500);
        errors.check(
            !self.primary_muscles.is_empty(),
            "/primary_muscles",
            "at least one primary muscle is needed",
        );
        check_unique(&mut errors, "/primary_muscles", &self.primary_muscles);
        check_unique(&mut errors, "/secondary_muscles", &self.secondary_muscles);
        errors.check(
            !self
                .secondary_muscles
                .iter()
                .any(|m| self.primary_muscles.contains(m)),
            "/secondary_muscles",
            "a muscle cannot be both primary and secondary",
        );
        errors.check(
            !self.equipment.is_empty(),
            "/equipment",
            "list what is needed, or [\"none\"]",
        );
        errors.check(
            !(self.equipment.contains(&Equipment::None) && self.equipment.len() > 1),
            "/equipment",
            "`none` cannot be combined with other equipment",
        );
        check_unique(&mut errors, "/equipment", &self.equipment);
        self.validate_alternatives(&mut errors);
        errors.check(
            (1..=5).contains(&self.difficulty),
            "/difficulty",
            "must be between 1 and 5",
        );
        errors.check(
            (1..=20).contains(&self.instructions.len()),
            "/instructions",
            "between 1 and 20 steps are needed",
        );
        for (index, step) in self.instructions.iter().enumerate() {
            check_text(&mut errors, &format!("/instructions/{index}"), step, 500);
        }
        errors.check(self.cues.len() <= 20, "/cues", "at most 20 cues");
        for (index, cue) in self.cues.iter().enumerate() {
            check_text(&mut errors, &format!("/cues/{index}"), cue, 300);
        }
        for (field, variations) in [("easier", &self.easier), ("harder", &self.harder)] {
            self.validate_variations(&mut errors, field, variations);
        }
        for (index, substitute) in self.substitutes.iter().enumerate() {
            let pointer = format!("/substitutes/{index}");
            errors.check(
                is_valid_slug(substitute),
                pointer.clone(),
                "not a valid slug",
            );
            errors.check(
                substitute != &self.slug,
                pointer,
                "an exercise cannot substitute itself",
            );
        }
        check_unique(&mut errors, "/avoid_with", &self.avoid_with);
        check_unique(&mut errors, "/helps_with", &self.helps_with);
        errors.check(
            !self
                .helps_with
                .iter()
                .any(|area| self.avoid_with.contains(area)),
            "/helps_with",
            "an injury area cannot be both avoided and helped",
        );
        errors.check(
            !self.benefits.is_empty(),
            "/benefits",
            "at least one benefit is needed",
        );
        check_unique(&mut errors, "/benefits", &self.benefits);
        let dose = &self.default_prescription;
        errors.check(
            (1..=10).contains(&dose.sets),
            "/default_prescription/sets",
            "must be between 1 and 10",
        );
        errors.check(
            dose.reps.is_some() != dose.hold_s.is_some(),
            "/default_prescription",
            "give exactly one of `reps` and `hold_s`",
        );
        errors.check(
            dose.reps.is_none_or(|reps| (1..=100).contains(&reps)),
            "/default_prescription/reps",
            "must be between 1 and 100",
        );
        errors.check(
            dose.hold_s.is_none_or(|hold| (1..=600).contains(&hold)),
            "/default_prescription/hold_s",
            "must be between 1 and 600",
        );
        errors.check(
            dose.rest_s <= 600,
            "/default_prescription/rest_s",
            "at most 600 seconds",
        );
        errors.check(
            dose.tempo.as_deref().is_none_or(is_valid_tempo),
            "/default_prescription/tempo",
            "four digits or `x` joined by hyphens, e.g. 3-1-1-0",
        );
        errors.into_result()
    }

    fn validate_alternatives(&self, errors: &mut Errors) {
        errors.check(
            self.equipment_alternatives.len() <= MAX_EQUIPMENT_ALTERNATIVES,
            "/equipment_alternatives",
            format!("at most {MAX_EQUIPMENT_ALTERNATIVES} alternative kits"),
        );
        let as_set = |kit: &[Equipment]| {
            let mut sorted = kit.to_vec();
            sorted.sort_by_key(|item| item.as_str());
            sorted
        };
        let mut seen = vec![as_set(&self.equipment)];
        for (index, kit) in self.equipment_alternatives.iter().enumerate() {
            let pointer = format!("/equipment_alternatives/{index}");
            errors.check(
                !kit.is_empty(),
                pointer.clone(),
                "list what the kit needs, or [\"none\"]",
            );
            errors.check(
                !(kit.contains(&Equipment::None) && kit.len() > 1),
                pointer.clone(),
                "`none` cannot be combined with other equipment",
            );
            check_unique(errors, &pointer, kit);
            let set = as_set(kit);
            errors.check(
                !seen.contains(&set),
                pointer,
                "repeats `equipment` or another alternative",
            );
            seen.push(set);
        }
    }

    fn validate_variations(&self, errors: &mut Errors, field: &str, variations: &[Variation]) {
        let mut links = 0;
        for (index, variation) in variations.iter().enumerate() {
            let pointer = format!("/{field}/{index}");
            match variation {
                Variation::Exercise { exercise_slug } => {
                    links += 1;
                    errors.check(
                        is_valid_slug(exercise_slug),
                        format!("{pointer}/exercise_slug"),
                        "not a valid slug",
                    );
                    errors.check(
                        exercise_slug != &self.slug,
                        format!("{pointer}/exercise_slug"),
                        "an exercise cannot link to itself",
                    );
                }
                Variation::Modification { description } => {
                    check_text(errors, &format!("{pointer}/description"), description, 300)
                }
            }
        }
        errors.check(
            links <= 1,
            format!("/{field}"),
            "at most one linked exercise, so the progression chain is unambiguous",
        );
    }
}

/// A kit is complete when every item is at hand; `none` always is.
fn kit_complete(kit: &[Equipment], has: &[Equipment]) -> bool {
    kit.iter()
        .all(|item| *item == Equipment::None || has.contains(item))
}

fn first_link(variations: &[Variation]) -> Option<&str> {
    variations.iter().find_map(|variation| match variation {
        Variation::Exercise { exercise_slug } => Some(exercise_slug.as_str()),
        Variation::Modification { .. } => None,
    })
}

pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 80
        && slug.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_valid_tempo(tempo: &str) -> bool {
    let parts: Vec<&str> = tempo.split('-').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|part| *part == "x" || (part.len() == 1 && part.as_bytes()[0].is_ascii_digit()))
}

fn check_text(errors: &mut Errors, pointer: &str, text: &str, max_chars: usize) {
    let trimmed = text.trim();
    errors.check(!trimmed.is_empty(), pointer, "must not be empty");
    errors.check(
        text.chars().count() <= max_chars,
        pointer,
        format!("at most {max_chars} characters"),
    );
}

fn check_unique<T: Eq + std::hash::Hash>(errors: &mut Errors, pointer: &str, values: &[T]) {
    let distinct: HashSet<&T> = values.iter().collect();
    errors.check(
        distinct.len() == values.len(),
        pointer,
        "values must not repeat",
    );
}

/// Orders the chain `start` belongs to from easiest to hardest, following
/// the first linked easier exercise down and the first linked harder one
/// up. `lookup` finds an exercise by slug; a dangling link ends the chain
/// there, and a cycle or an over-long chain is cut rather than looped.
pub fn progression_chain(
    start: ProgressionNode,
    mut lookup: impl FnMut(&str) -> Option<ProgressionNode>,
) -> Vec<ProgressionStep> {
    let mut seen: HashSet<String> = HashSet::from([start.step.slug.clone()]);
    let mut easier_steps = Vec::new();
    let mut next = start.easier.clone();
    while let Some(slug) = next.take() {
        if easier_steps.len() >= MAX_PROGRESSION_LENGTH || !seen.insert(slug.clone()) {
            break;
        }
        if let Some(node) = lookup(&slug) {
            next = node.easier.clone();
            easier_steps.push(node.step);
        }
    }
    easier_steps.reverse();
    let mut chain = easier_steps;
    let mut next = start.harder.clone();
    chain.push(start.step);
    while let Some(slug) = next.take() {
        if chain.len() >= 2 * MAX_PROGRESSION_LENGTH || !seen.insert(slug.clone()) {
            break;
        }
        if let Some(node) = lookup(&slug) {
            next = node.harder.clone();
            chain.push(node.step);
        }
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validation::test_support::pointers_of;
    use std::collections::HashMap;

    fn node(slug: &str, easier: Option<&str>, harder: Option<&str>) -> ProgressionNode {
        ProgressionNode {
            step: ProgressionStep {
                id: Uuid::nil(),
                slug: slug.to_owned(),
                name: slug.to_owned(),
                difficulty: 1,
            },
            easier: easier.map(str::to_owned),
            harder: harder.map(str::to_owned),
        }
    }

    fn chain_of(start: &str, nodes: &[ProgressionNode]) -> Vec<String> {
        let by_slug: HashMap<String, ProgressionNode> = nodes
            .iter()
            .map(|n| (n.step.slug.clone(), n.clone()))
            .collect();
        progression_chain(by_slug[start].clone(), |slug| by_slug.get(slug).cloned())
            .into_iter()
            .map(|step| step.slug)
            .collect()
    }

    #[test]
    fn chain_runs_from_easiest_to_hardest_from_any_member() {
        let nodes = [
            node("a", None, Some("b")),
            node("b", Some("a"), Some("c")),
            node("c", Some("b"), None),
        ];
        for start in ["a", "b", "c"] {
            assert_eq!(chain_of(start, &nodes), ["a", "b", "c"]);
        }
    }

    #[test]
    fn cycles_and_dangling_links_end_the_chain() {
        let cyclic = [
            node("a", Some("b"), Some("b")),
            node("b", Some("a"), Some("a")),
        ];
        assert_eq!(chain_of("a", &cyclic), ["b", "a"]);
        let dangling = [node("a", Some("ghost"), None)];
        assert_eq!(chain_of("a", &dangling), ["a"]);
    }

    fn seed_exercise(slug: &str) -> ExerciseDefinition {
        crate::seed::definitions()
            .unwrap()
            .into_iter()
            .find(|d| d.slug == slug)
            .unwrap()
    }

    #[test]
    fn any_one_complete_kit_makes_an_exercise_doable() {
        use Equipment::*;
        let goblet = seed_exercise("goblet-squat");
        assert_eq!(goblet.equipment, [Dumbbell]);
        assert_eq!(goblet.equipment_alternatives, [vec![Kettlebell]]);
        assert!(goblet.doable_with(&[Dumbbell]));
        assert_eq!(goblet.kit_for(&[Kettlebell, Mat]), Some(&[Kettlebell][..]));
        assert!(!goblet.doable_with(&[Barbell, Mat]));
        assert_eq!(goblet.missing_with(&[Barbell]), [Dumbbell]);
        let plank = seed_exercise("forearm-plank");
        assert!(plank.doable_with(&[]), "the floor does without a mat");
        assert_eq!(plank.kit_for(&[Mat]), Some(&[Mat][..]));
        // Of two kits, the one closer to complete is named as missing.
        let split = seed_exercise("dumbbell-elevated-split-squat");
        assert_eq!(split.missing_with(&[Kettlebell]), [Box]);
        assert!(split.doable_with(&[Kettlebell, Bench]));
        assert!(!split.doable_with(&[Box, Bench]));
    }

    #[test]
    fn alternative_kits_are_checked() {
        use Equipment::*;
        let mut goblet = seed_exercise("goblet-squat");
        let pointers = |d: &ExerciseDefinition| -> Vec<String> { pointers_of(d.validate()) };
        assert!(pointers(&goblet).is_empty());
        goblet.equipment_alternatives = vec![
            vec![],
            vec![None, Mat],
            vec![Dumbbell],
            vec![Kettlebell, Kettlebell],
        ];
        assert_eq!(
            pointers(&goblet),
            [
                "/equipment_alternatives/0",
                "/equipment_alternatives/1",
                "/equipment_alternatives/2",
                "/equipment_alternatives/3",
            ]
        );
        goblet.equipment_alternatives = Equipment::ALL[1..]
            .iter()
            .filter(|item| **item != Dumbbell)
            .map(|item| vec![*item])
            .collect();
        assert_eq!(pointers(&goblet), ["/equipment_alternatives"]);
    }

    #[test]
    fn an_export_without_alternatives_still_parses() {
        let mut value = serde_json::to_value(seed_exercise("goblet-squat")).unwrap();
        value
            .as_object_mut()
            .unwrap()
            .remove("equipment_alternatives");
        let parsed: ExerciseDefinition = serde_json::from_value(value).unwrap();
        assert!(parsed.equipment_alternatives.is_empty());
        parsed.validate().unwrap();
    }

    #[test]
    fn slugs_and_tempos_are_checked() {
        assert!(is_valid_slug("single-leg-deadlift"));
        assert!(is_valid_slug("90-90-hip-switch"));
        for bad in ["", "Caps", "double--hyphen", "-lead", "trail-", "spa ce"] {
            assert!(!is_valid_slug(bad), "{bad:?} should be refused");
        }
        assert!(is_valid_tempo("3-1-x-0"));
        assert!(!is_valid_tempo("3-1-1"));
        assert!(!is_valid_tempo("30-1-1-0"));
    }
}
