//! A catalog query as a value: the filters of `GET /v1/exercises`, which
//! the repository turns into SQL and the in-memory catalog (anonymous
//! reads) applies with `matches`.

use crate::domain::catalog::Exercise;
use crate::domain::vocabulary::{Category, Equipment, Impact, InjuryArea, MovementPattern, Muscle};

/// Which muscles a `muscle` filter looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MuscleRole {
    /// Primary or secondary.
    #[default]
    Any,
    Primary,
}

/// A catalog query; every present filter must hold (AND), and a list
/// filter matches any of its values (OR).
#[derive(Debug, Clone, Default)]
pub struct ExerciseFilter {
    pub categories: Vec<Category>,
    pub muscles: Vec<Muscle>,
    pub muscle_role: MuscleRole,
    pub patterns: Vec<MovementPattern>,
    /// What the athlete has; `None` means "do not filter by equipment".
    pub equipment_available: Option<Vec<Equipment>>,
    pub max_difficulty: Option<u8>,
    pub max_impact: Option<Impact>,
    pub unilateral: Option<bool>,
    pub compound: Option<bool>,
    pub safe_for: Vec<InjuryArea>,
    pub text: Option<String>,
}

/// Impact as a number, low to high, as the `impact_rank` column stores it.
pub fn impact_rank(impact: Impact) -> i16 {
    match impact {
        Impact::Low => 1,
        Impact::Moderate => 2,
        Impact::High => 3,
    }
}

impl ExerciseFilter {
    /// Whether the filter needs the database: text search uses
    /// PostgreSQL's stemming, which `matches` cannot reproduce.
    pub fn needs_database(&self) -> bool {
        self.text.is_some()
    }

    /// The filter of `list`, in memory, for the cached global catalog.
    /// Every clause mirrors one of `list`'s SQL clauses; a test runs both
    /// over the seeded catalog and requires the same answers.
    pub fn matches(&self, exercise: &Exercise) -> bool {
        debug_assert!(!self.needs_database(), "text search is PostgreSQL's");
        let d = &exercise.definition;
        let any_of =
            |wanted: &[Muscle], muscles: &[Muscle]| wanted.iter().any(|m| muscles.contains(m));
        (self.categories.is_empty() || self.categories.contains(&d.category))
            && (self.muscles.is_empty()
                || any_of(&self.muscles, &d.primary_muscles)
                || (self.muscle_role == MuscleRole::Any
                    && any_of(&self.muscles, &d.secondary_muscles)))
            && (self.patterns.is_empty() || self.patterns.contains(&d.movement_pattern))
            && self
                .equipment_available
                .as_ref()
                .is_none_or(|available| d.doable_with(available))
            && self.max_difficulty.is_none_or(|max| d.difficulty <= max)
            && self
                .max_impact
                .is_none_or(|max| impact_rank(d.impact) <= impact_rank(max))
            && self.unilateral.is_none_or(|wanted| d.unilateral == wanted)
            && self.compound.is_none_or(|wanted| d.compound == wanted)
            && !d.avoid_with.iter().any(|area| self.safe_for.contains(area))
    }
}
